import test from "node:test";
import assert from "node:assert/strict";
import { withoutInternals, historyFile } from "./shell.js";

test("Tab completion hides engine internals unless the user typed the underscore", () => {
  const list = ["sc.__proto__", "sc.cancelAllJobs", "sc._runJob", "", "sc.textFile", "sc._stageMetrics"];
  assert.deepEqual(withoutInternals(list, "sc."), ["sc.cancelAllJobs", "", "sc.textFile"]);
  assert.deepEqual(withoutInternals(list, "sc._"), list);
});

test("the history file: ~/.tspark_history, $TSPARK_HISTORY, none when it is empty", () => {
  assert.match(historyFile({})!, /\/\.tspark_history$/);
  assert.equal(historyFile({ TSPARK_HISTORY: "/tmp/h" }), "/tmp/h");
  assert.equal(historyFile({ TSPARK_HISTORY: "" }), undefined);
});

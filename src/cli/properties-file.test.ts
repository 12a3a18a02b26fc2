import test from "node:test";
import assert from "node:assert/strict";
import { parseProperties } from "./properties-file.js";

test("properties: key value, key=value and key: value, comments and blank lines skipped", () => {
  const text = "# defaults\n\ntspark.master   local[2]\ntspark.app.name=my app\n! also a comment\n  spark.task.maxFailures : 3 \r\n";
  assert.deepEqual(parseProperties(text, "f.conf"), [
    { key: "tspark.master", value: "local[2]", line: 3 },
    { key: "tspark.app.name", value: "my app", line: 4 },
    { key: "spark.task.maxFailures", value: "3", line: 6 },
  ]);
});

test("a line without a value names the file and line", () => {
  assert.throws(() => parseProperties("tspark.master local\njust-a-key\n", "conf/x.conf"), /conf\/x\.conf:2: expected "key value" or "key=value", got "just-a-key"/);
});

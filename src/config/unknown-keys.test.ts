import { test } from "node:test";
import assert from "node:assert/strict";
import { closestKey, unknownKeyWarnings } from "./unknown-keys.js";

test("a misspelt key is reported with the key that was meant, on every engine", () => {
  assert.deepEqual(unknownKeyWarnings(["tspark.task.maxFailure"], false), ["tspark.task.maxFailure: unknown setting; did you mean tspark.task.maxFailures?"]);
  assert.deepEqual(unknownKeyWarnings(["tspark.task.maxFailure"], true), ["tspark.task.maxFailure: unknown setting; did you mean tspark.task.maxFailures?"]);
  assert.equal(closestKey("tspark.ui.Port"), "tspark.ui.port");
  assert.equal(closestKey("tspark.executor.memroy"), "tspark.executor.memory");
});

test("a key nobody reads is reported on tspark's engine; on Spark it is Spark's", () => {
  assert.match(unknownKeyWarnings(["tspark.serializer"], false)[0]!, /^tspark\.serializer: unknown setting, ignored/);
  assert.deepEqual(unknownKeyWarnings(["tspark.serializer", "tspark.executor.cores"], true), []);
});

test("known keys and families are not reported", () => {
  assert.deepEqual(unknownKeyWarnings(["tspark.master", "tspark.task.maxFailures", "tspark.executorEnv.TZ"], false), []);
});

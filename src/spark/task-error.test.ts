import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeTaskError, findTaskError } from "./task-error.js";

test("a task error survives the JVM's wrapping: a prefix, text Spark appends, its stack after", () => {
  const error = { name: "RangeError", message: "bad\nrecord \"2\"", stack: "RangeError: bad\n    at file:///app/job.ts:3:9", code: undefined };
  const sent = encodeTaskError(error);
  assert.ok(sent.startsWith("RangeError: bad\n"));
  const wrapped = `org.apache.spark.api.python.PythonException: [PYTHON_EXCEPTION] An exception was thrown from the Python worker: ${sent} SQLSTATE: 38000\n\tat org.apache.spark.api.python.BasePythonRunner...`;
  assert.deepEqual(findTaskError(wrapped), { name: "RangeError", message: "bad\nrecord \"2\"", stack: "RangeError: bad\n    at file:///app/job.ts:3:9" });
  assert.equal(findTaskError("java.lang.OutOfMemoryError: Java heap space"), undefined);
  assert.equal(findTaskError("tspark-task-error:{not json"), undefined);
});

import test from "node:test";
import assert from "node:assert/strict";
import { formatLogLine, setLogThreshold, logThreshold } from "./log.js";

test("a log line says when, its level and its source, as Spark's", () => {
  assert.equal(formatLogLine("WARN", "scheduler", "lost a worker", new Date(2026, 11, 1, 17, 5, 3)), "26/12/01 17:05:03 WARN scheduler: lost a worker\n");
});

test("the threshold takes a known level in any case, and refuses others", () => {
  const before = logThreshold();
  try {
    setLogThreshold("info");
    assert.equal(logThreshold(), "INFO");
    assert.throws(() => setLogThreshold("LOUD"), /unknown log level "LOUD"; use one of ALL, TRACE/);
  } finally {
    setLogThreshold(before);
  }
});

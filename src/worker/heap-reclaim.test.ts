import test from "node:test";
import assert from "node:assert/strict";
import { reclaimHeapBetweenTasks } from "./heap-reclaim.js";

test("a heap grown well past its live data is collected between tasks; a small one is left alone", () => {
  let garbage: Array<{ i: number; s: string }> | undefined = [];
  for (let i = 0; i < 3_000_000; i++) garbage.push({ i, s: `record ${i}` });
  garbage = undefined;
  const before = process.memoryUsage().heapUsed;
  assert.ok(before > 200 * 1024 * 1024, `the test made ${before} bytes of heap`);
  reclaimHeapBetweenTasks();
  const after = process.memoryUsage().heapUsed;
  assert.ok(after < 64 * 1024 * 1024, `${before} -> ${after} bytes`);
  assert.equal((globalThis as { gc?: unknown }).gc, undefined, "the program's global gets no gc()");
  // Little growth since: no collection (nothing to see but that it returns at once).
  reclaimHeapBetweenTasks();
});

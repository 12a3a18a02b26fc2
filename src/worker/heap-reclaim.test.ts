import test from "node:test";
import assert from "node:assert/strict";
import { reclaimHeapBetweenTasks } from "./heap-reclaim.js";

test("a heap grown well past its live data is collected between tasks; a small one is left alone", () => {
  const globalGc = (globalThis as { gc?: unknown }).gc;
  let garbage: Array<{ i: number; s: string }> | undefined = [];
  for (let i = 0; i < 3_000_000; i++) garbage.push({ i, s: `record ${i}` });
  garbage = undefined;
  const before = process.memoryUsage().heapUsed;
  assert.ok(before > 200 * 1024 * 1024, `the test made ${before} bytes of heap`);
  assert.equal(reclaimHeapBetweenTasks(), true);
  const after = process.memoryUsage().heapUsed;
  assert.ok(after < 64 * 1024 * 1024, `${before} -> ${after} bytes`);
  assert.equal((globalThis as { gc?: unknown }).gc, globalGc, "the program's global gets no gc() it did not have");
  assert.equal(reclaimHeapBetweenTasks(), false, "little growth since: no collection");
});

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

test("the large arrays a task outgrew are collected before the next task, though far from a heap's worth", () => {
  reclaimHeapBetweenTasks(); // what is live now is the baseline
  const live = process.memoryUsage().heapUsed;
  // A combine table's old key and value arrays, given up as it grew: large objects, which
  // only a full collection frees. As much as was live, plus 24 MB.
  let outgrown: unknown[][] | undefined = [];
  for (let bytes = 0; bytes < live + 24 * 1024 * 1024; bytes += 8 * 65536) outgrown.push(new Array(65536).fill(bytes));
  outgrown = undefined;
  const before = process.memoryUsage().heapUsed;
  assert.equal(reclaimHeapBetweenTasks(), true, `live ${live} bytes, then ${before}`);
  const after = process.memoryUsage().heapUsed;
  assert.ok(after < live + 8 * 1024 * 1024, `${before} -> ${after} bytes (live before: ${live})`);
});

/**
 * An iterative program's usual loop (each job's closure captures a fresh large array) keeps
 * the driver's and the workers' heaps bounded: finished jobs release what they captured, and
 * workers keep a bounded set of closures (scheduler/plan.ts CLOSURE_CACHE_BYTES).
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext } from "../index.js";
import { heapAfterGc } from "../testing/gc.js";

const sc = new SparkContext({ master: "local[2]", appName: "iterative-memory-test" });
after(() => sc.stop());

test("300 jobs, each capturing a fresh 100k-number array: driver and worker heaps stay bounded", { timeout: 120_000 }, async () => {
  const MB = 1024 * 1024;
  let check = 0;
  for (let i = 0; i < 300; i++) {
    const weights = Array.from({ length: 100_000 }, (_, j) => j * i);
    check += await sc.parallelize([1, 2, 3, 4], 2).map((x) => weights[x]!).sum();
  }
  assert.equal(check, 10 * ((299 * 300) / 2));
  // Each array is 0.8 MB: kept by every job, 300 of them are 240 MB in each process.
  const driver = heapAfterGc();
  const workers = await sc.parallelize([0, 1], 2).map(() => heapAfterGc()).collect();
  assert.ok(driver < 60 * MB, `driver heap ${Math.round(driver / MB)} MB`);
  for (const w of workers) assert.ok(w < 180 * MB, `worker heap ${Math.round(w / MB)} MB`);
});

/**
 * An iterative program's usual loop (each job's closure captures a fresh large array) keeps
 * the driver's and the workers' heaps bounded and flat: finished jobs release what they
 * captured, and workers keep a bounded set of closures (scheduler/plan.ts
 * CLOSURE_CACHE_BYTES). The 10,000-iteration soak is bench/soak.ts (bench/SOAK.md).
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext } from "../index.js";
import { heapAfterGc } from "../testing/gc.js";

const sc = new SparkContext({ master: "local[2]", appName: "iterative-memory-test" });
after(() => sc.stop());

test("500 jobs, each capturing a fresh 100k-number array: driver and worker heaps level off and stay flat", { timeout: 180_000 }, async () => {
  const MB = 1024 * 1024;
  const heaps = async () => ({ driver: heapAfterGc(), workers: await sc.parallelize([0, 1], 2).map(() => heapAfterGc()).collect() });
  let check = 0;
  let warm: Awaited<ReturnType<typeof heaps>> | undefined;
  for (let i = 0; i < 500; i++) {
    const weights = Array.from({ length: 100_000 }, (_, j) => j * i);
    check += await sc.parallelize([1, 2, 3, 4], 2).map((x) => weights[x]!).sum();
    // Past the warm-up (the workers' closure cache filled), heaps stay where they are.
    if (i === 249) warm = await heaps();
  }
  assert.equal(check, 10 * ((499 * 500) / 2));
  // Each array is 0.8 MB: kept by every job, 500 of them would be 400 MB in each process.
  const { driver, workers } = await heaps();
  assert.ok(driver < 60 * MB, `driver heap ${Math.round(driver / MB)} MB`);
  assert.ok(Math.abs(driver - warm!.driver) < 8 * MB, `driver heap ${Math.round(warm!.driver / MB)} -> ${Math.round(driver / MB)} MB`);
  workers.forEach((w, i) => {
    assert.ok(w < 180 * MB, `worker heap ${Math.round(w / MB)} MB`);
    assert.ok(Math.abs(w - warm!.workers[i]!) < 16 * MB, `worker heap ${Math.round(warm!.workers[i]! / MB)} -> ${Math.round(w / MB)} MB`);
  });
});

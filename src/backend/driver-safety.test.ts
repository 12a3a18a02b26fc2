/**
 * Limits that protect the driver and the workers: results larger than
 * tspark.driver.maxResultSize fail clearly; a task that exhausts its worker's heap
 * (tspark.executor.memory) kills only that worker, and the job fails with the reason.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext } from "../index.js";

const sc = new SparkContext({
  master: "local[2]",
  appName: "driver-safety",
  conf: { "tspark.driver.maxResultSize": "1m", "tspark.executor.memory": "96m", "tspark.task.maxFailures": "2" },
});
after(() => sc.stop());

test("results over maxResultSize fail with a clear error; the context stays usable", async () => {
  const big = sc.range(0, 200_000, 1, 10).map((i) => `record number ${i}`);
  await assert.rejects(big.collect(), (e: Error) => /tspark\.driver\.maxResultSize \(1m\)/.test(e.message) && /toLocalIterator/.test(e.message) && /saveAsTextFile/.test(e.message));
  let n = 0;
  for await (const _ of big.toLocalIterator()) n++;
  assert.equal(n, 200_000, "streaming one partition at a time stays under the limit");
  assert.equal(await big.count(), 200_000);
});

test("a task that exhausts its worker's heap fails the job, naming the crash; other work goes on", async () => {
  const hog = sc.parallelize([1], 1).map(() => {
    const keep: string[][] = [];
    for (;;) keep.push(Array.from({ length: 100_000 }, (_, i) => `${i}-${keep.length}`));
  });
  await assert.rejects(hog.collect(), (e: Error & { code?: string }) => e.code === "WORKER_LOST" && /died \((signal SIG\w+|exit code \d+)\)/.test(e.message) && /heap/i.test(e.message));
  assert.equal(await sc.parallelize([1, 2, 3]).sum(), 6);
});

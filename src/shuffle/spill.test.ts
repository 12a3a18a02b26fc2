/**
 * Bounded memory: groupByKey and sortBy over data several times `tspark.worker.memory`
 * finish with correct results, spill to disk, and keep each worker's peak RSS bounded;
 * a skewed key holding most of the data still groups.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext } from "../index.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import { roughHeapSize } from "./size-estimator.js";

const WORKER_MEMORY = 8 * 1024 * 1024;
/**
 * The bound checked: an idle worker is ~60 MB; with an 8 MB buffer budget and the heap
 * capped at 160 MB (tspark.executor.memory) the workers measured 150-190 MB on these jobs.
 */
const RSS_BOUND = 256 * 1024 * 1024;
const sc = new SparkContext({ master: "local[2]", appName: "spill-test", conf: { "tspark.worker.memory": "8m", "tspark.executor.memory": "160m" } });
after(() => sc.stop());

const N = 400_000;
const PAD = "x".repeat(100);
// ~50 MB of records (by the engine's own estimate): over 5x the worker memory.
const recordBytes = roughHeapSize([7, `${PAD}123456`]);

test("the data is at least 5x the worker memory", () => {
  assert.ok(N * recordBytes >= 5 * WORKER_MEMORY, `${N} x ${recordBytes} bytes`);
});

function maxWorkerRss(): number {
  return Math.max(...runtimeOf(sc).executorInfos().map((e) => e.peakRssBytes));
}

test("groupByKey over 5x worker memory: correct groups, spills, bounded RSS", async () => {
  const pairs = sc.range(0, N, 1, 4).map((i) => [i % 1000, `${PAD}${i}`] as [number, string]);
  const grouped = pairs.groupByKey(4);
  const summary = await grouped.mapValues((vs) => {
    let n = 0;
    let len = 0;
    for (const v of vs) {
      n++;
      len += v.length;
    }
    return [n, len];
  }).collect();
  assert.equal(summary.length, 1000);
  for (const [, [n]] of summary) assert.equal(n, N / 1000);
  const statuses = runtimeOf(sc).mapStatuses((grouped as unknown as { shuffleId: number }).shuffleId);
  assert.ok(statuses && statuses.some((s) => s.spills > 0), "map side spilled");
  assert.ok(maxWorkerRss() < RSS_BOUND, `peak worker RSS ${(maxWorkerRss() / 2 ** 20).toFixed(0)} MiB`);
});

test("a skewed key holding most of the data still groups", async () => {
  const pairs = sc.range(0, N, 1, 4).map((i) => [i % 10 === 0 ? i % 7 : 0, `${PAD}${i}`] as [number, string]);
  const counts = await pairs.groupByKey(3).mapValues((vs) => {
    let n = 0;
    for (const _ of vs) n++;
    return n;
  }).collectAsMap();
  const expected0 = N - N / 10 + Math.ceil(N / 10 / 7);
  assert.equal(counts.get(0), expected0);
  let total = 0;
  for (const n of counts.values()) total += n;
  assert.equal(total, N);
  assert.ok(maxWorkerRss() < RSS_BOUND, `peak worker RSS ${(maxWorkerRss() / 2 ** 20).toFixed(0)} MiB`);
});

test("sortBy over 5x worker memory is correct and bounded", async () => {
  const rdd = sc.range(0, N, 1, 4).map((i) => `${(i * 7919) % N}`.padStart(7, "0") + PAD);
  const sorted = rdd.sortBy((s) => s, true, 4);
  let prev = "";
  let n = 0;
  for await (const s of sorted.toLocalIterator()) {
    assert.ok(s >= prev, "ordered");
    prev = s;
    n++;
  }
  assert.equal(n, N);
  assert.ok(maxWorkerRss() < RSS_BOUND, `peak worker RSS ${(maxWorkerRss() / 2 ** 20).toFixed(0)} MiB`);
});

test("reduceByKey with map-side combine over many keys spills and stays correct", async () => {
  const sum = await sc.range(0, N, 1, 4).map((i) => [`key-${i % 100_000}`, 1] as [string, number]).reduceByKey((a, b) => a + b).values().sum();
  assert.equal(sum, N);
});

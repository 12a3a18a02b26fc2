/**
 * Memory bounds that a generous heap would hide: the worker heap (tspark.executor.memory) is
 * set below the size of the data one reduce task handles, so a step that holds a whole
 * partition (or a whole key's values) in memory crashes the worker instead of passing.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext } from "../index.js";
import { runtimeOf } from "../driver/runtime-registry.js";

/** 400,000 records with ~110-character strings: 70 MB or more of JavaScript heap when held at once. */
const N = 400_000;
const PAD = "x".repeat(100);
const sc = new SparkContext({
  master: "local[2]",
  appName: "bounded-memory-test",
  conf: { "tspark.worker.memory": "8m", "tspark.executor.memory": "48m", "tspark.task.maxFailures": "1" },
});
after(() => sc.stop());

/** Counts the records of each partition without holding them, checking their order. */
function* countOrdered(it: Iterable<[string, unknown]>): Generator<number> {
  let n = 0;
  let prev = "";
  for (const [k] of it) {
    if (k < prev) throw new Error(`out of order: ${k} after ${prev}`);
    prev = k;
    n++;
  }
  yield n;
}

test("a sort of one partition larger than the heap, spilling many runs, streams into mapPartitions", async () => {
  // Key and value both ~107 characters (like sortBy's [key, record] pairs): ~140 MB of heap
  // if held, and some 25 spill runs at an 8 MB budget.
  const pairs = sc.range(0, N, 1, 4).map((i) => {
    const s = `${(i * 7919) % N}`.padStart(7, "0") + PAD;
    return [s, `${s}`] as [string, string];
  });
  // A mapPartitions after the sort streams (the sort step stays synchronous), and the
  // final merge holds a bounded number of run frames (merged 16 at a time).
  assert.deepEqual(await pairs.repartitionAndSortWithinPartitions(1).mapPartitions(countOrdered).collect(), [N]);
  // The reduce task's spills are reported with its metrics (the UI shows them per stage).
  const t = sc.statusTracker();
  const job = t.getJobInfo(Math.max(...t.getJobIdsForGroup(undefined)))!;
  const reduce = runtimeOf(sc).stageMetrics(Math.max(...job.stageIds))!;
  assert.ok(reduce.spills > 0 && reduce.spillBytes > 0, `reduce-side spills ${reduce.spills}, ${reduce.spillBytes} bytes`);
});

test("mapPartitions after a reduce-side combine streams", async () => {
  const counts = await sc.range(0, N, 1, 4).map((i) => [`${i}${PAD}`, 1] as [string, number]).reduceByKey((a, b) => a + b, 1)
    .mapPartitions(function* (it) {
      let n = 0;
      for (const [, c] of it) n += c;
      yield n;
    }).collect();
  assert.deepEqual(counts, [N]);
});

test("one key whose values exceed the worker heap groups, streamed from disk", async () => {
  const pairs = sc.range(0, N, 1, 4).map((i) => [i % 10 === 0 ? 1 + (i % 7) : 0, `${PAD}${i}`] as [number, string]);
  const counts = await pairs.groupByKey(2).mapValues((vs) => {
    let n = 0;
    for (const _ of vs) n++;
    return n;
  }).collectAsMap();
  assert.equal(counts.get(0), N - N / 10);
  let total = 0;
  for (const n of counts.values()) total += n;
  assert.equal(total, N);
});

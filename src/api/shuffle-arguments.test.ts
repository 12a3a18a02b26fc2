/**
 * Every numPartitions, partitionFunc, ascending and keyfunc argument PySpark's shuffles
 * take, each checked for its effect; lookup on a partitioned RDD reads one partition;
 * sort partitions are balanced by the sampled range bounds; reduceByKey combines map-side
 * and groupByKey does not.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import type { RDD } from "../index.js";
import { contractContext } from "../testing/contract-context.js";
import { lastJobMetric } from "../testing/job-metrics.js";

const { sc } = contractContext("shuffle-arguments-test");
after(() => sc.stop());

const pairs = () => sc.parallelize<[number, number]>(Array.from({ length: 40 }, (_, i) => [i % 10, i]), 4);
/** partitionFunc used below: key k goes to partition k mod n (the engine applies the mod). */
const byKey = (k: number) => k;

async function assertPlaced(rdd: RDD<[number, unknown]>, n: number, what: string): Promise<void> {
  assert.equal(rdd.getNumPartitions(), n, `${what}: numPartitions`);
  const parts = await rdd.glom().collect();
  parts.forEach((part, i) => part.forEach(([k]) => assert.equal(k % n, i, `${what}: key ${k} in partition ${i}`)));
  assert.equal(parts.flat().length > 0, true);
}

test("numPartitions and partitionFunc of every by-key shuffle", async () => {
  const add = (a: number, b: number) => a + b;
  await assertPlaced(pairs().partitionBy(3, byKey), 3, "partitionBy");
  await assertPlaced(pairs().combineByKey((v) => v, add, add, 3, byKey), 3, "combineByKey");
  await assertPlaced(pairs().reduceByKey(add, 3, byKey), 3, "reduceByKey");
  await assertPlaced(pairs().aggregateByKey(0, add, add, 3, byKey), 3, "aggregateByKey");
  await assertPlaced(pairs().foldByKey(0, add, 3, byKey), 3, "foldByKey");
  await assertPlaced(pairs().groupByKey(3, byKey), 3, "groupByKey");
  await assertPlaced(sc.parallelize(Array.from({ length: 20 }, (_, i) => i), 2).groupBy((x) => x % 5, 3, byKey), 3, "groupBy");
  await assertPlaced(pairs().repartitionAndSortWithinPartitions(3, byKey), 3, "repartitionAndSortWithinPartitions");
});

test("numPartitions of the other shuffles", async () => {
  const other = sc.parallelize<[number, string]>([[1, "x"], [2, "y"]], 2);
  const nums = sc.parallelize([1, 2, 2, 3, 4], 2);
  const cases: Array<[string, RDD<unknown>]> = [
    ["distinct", nums.distinct(5)],
    ["join", pairs().join(other, 5)],
    ["leftOuterJoin", pairs().leftOuterJoin(other, 5)],
    ["rightOuterJoin", pairs().rightOuterJoin(other, 5)],
    ["fullOuterJoin", pairs().fullOuterJoin(other, 5)],
    ["cogroup", pairs().cogroup(other, 5)],
    ["subtract", nums.subtract(sc.parallelize([2]), 5)],
    ["subtractByKey", pairs().subtractByKey(other, 5)],
    ["intersection", nums.intersection(sc.parallelize([2, 3]), 5)],
    ["sortByKey", pairs().sortByKey(true, 5)],
    ["sortBy", nums.sortBy((x) => x, true, 5)],
    ["repartition", nums.repartition(5)],
    ["coalesce with shuffle", nums.coalesce(5, true)],
  ];
  for (const [name, rdd] of cases) {
    assert.equal(rdd.getNumPartitions(), 5, name);
    assert.equal((await rdd.glom().collect()).length, 5, name);
  }
  assert.deepEqual((await nums.subtract(sc.parallelize([2]), 5).collect()).sort(), [1, 3, 4]);
});

test("ascending and keyfunc of repartitionAndSortWithinPartitions", async () => {
  const x = sc.parallelize<[number, number]>([[0, 5], [3, 8], [2, 6], [0, 8], [3, 8], [1, 3]]);
  // Equal keys come in the order their shuffle blocks arrived (on Spark, not the map tasks' order): only keys are ordered.
  const parts = await x.repartitionAndSortWithinPartitions(2, (k) => k % 2, false).glom().collect();
  assert.deepEqual(parts.map((p) => p.map(([k]) => k)), [[2, 0, 0], [3, 3, 1]]);
  assert.deepEqual(parts.map((p) => p.map(String).sort()), [["0,5", "0,8", "2,6"], ["1,3", "3,8", "3,8"]]);
  const words = sc.parallelize<[string, number]>([["b", 1], ["A", 2], ["c", 3], ["B", 4]]);
  const sorted = await words.repartitionAndSortWithinPartitions(1, () => 0, true, (k) => k.toLowerCase()).collect();
  assert.deepEqual(sorted.map(([k]) => k.toLowerCase()), ["a", "b", "b", "c"]);
});

test("sortByKey with keyfunc and descending", async () => {
  const words = sc.parallelize<[string, number]>([["b", 1], ["A", 2], ["c", 3], ["D", 4]], 2);
  assert.deepEqual((await words.sortByKey(false, 2, (k) => k.toLowerCase()).collect()).map(([k]) => k), ["D", "c", "b", "A"]);
  assert.deepEqual((await words.sortByKey(true).collect()).map(([k]) => k), ["A", "D", "b", "c"]);
});

test("sort partitions are balanced by the sampled range bounds", async () => {
  const n = 20_000;
  const parts = await sc.range(0, n, 1, 4).map((i) => (i * 7919) % n).sortBy((x) => x, true, 4).glom().collect();
  const sizes = parts.map((p) => p.length);
  assert.equal(sizes.reduce((a, b) => a + b, 0), n);
  for (const s of sizes) assert.ok(s > n / 4 / 2 && s < (n / 4) * 2, `partition sizes ${sizes}`);
  assert.deepEqual(parts.flat(), Array.from({ length: n }, (_, i) => i));
});

test("range bounds weigh each partition's sample by its size: skewed and empty partitions still give balanced output", async () => {
  // One partition of 30,000 keys, one of 10, one empty: a sample per partition, weighted by the counts.
  const big = sc.range(0, 30_000, 1, 1).map((i) => (i * 7919) % 30_000);
  const small = sc.parallelize(Array.from({ length: 10 }, (_, i) => 30_000 + i), 1);
  const empty = sc.parallelize<number>([], 1);
  const parts = await big.union(small).union(empty).sortBy((x) => x, true, 4).glom().collect();
  const sizes = parts.map((p) => p.length);
  for (const s of sizes) assert.ok(s > 30_010 / 4 / 2 && s < (30_010 / 4) * 2, `partition sizes ${sizes}`);
  assert.deepEqual(parts.flat(), Array.from({ length: 30_010 }, (_, i) => i));
});

test("sortByKey reads its input twice: one pass for the range bounds (count and sample together), one for the shuffle", async () => {
  const reads = sc.accumulator(0);
  const sorted = await sc.range(0, 5000, 1, 4).map((i) => {
    reads.add(1);
    return [(i * 7919) % 5000, i] as [number, number];
  }).sortByKey(true, 3).keys().collect();
  assert.deepEqual(sorted, Array.from({ length: 5000 }, (_, i) => i));
  assert.equal(reads.value, 2 * 5000);
});

test("lookup on an RDD with a known partitioner reads one partition only", async () => {
  const partitioned = pairs().partitionBy(4);
  assert.deepEqual((await partitioned.lookup(3)).sort((a, b) => a - b), [3, 13, 23, 33]);
  const t = sc.statusTracker();
  const job = t.getJobInfo(Math.max(...t.getJobIdsForGroup(undefined)))!;
  const resultStage = t.getStageInfo(Math.max(...job.stageIds))!;
  assert.equal(resultStage.numTasks, 1);
  // Without a partitioner every partition is searched.
  await pairs().lookup(3);
  const job2 = t.getJobInfo(Math.max(...t.getJobIdsForGroup(undefined)))!;
  assert.equal(t.getStageInfo(Math.max(...job2.stageIds))!.numTasks, 4);
});

test("reduceByKey combines map-side: each map task writes one record per key; groupByKey writes them all", async () => {
  const many = sc.range(0, 100_000, 1, 2).map((i) => [i % 3, 1] as [number, number]);
  // The bytes the last job's map tasks wrote (or, on Spark, handed to Spark's shuffle), as the workers report them.
  const writtenByLastJob = () => lastJobMetric(sc, "shuffleWriteBytes");
  assert.deepEqual((await many.reduceByKey((a, b) => a + b, 2).collect()).sort(), [[0, 33334], [1, 33333], [2, 33333]]);
  const combined = writtenByLastJob();
  assert.equal(await many.groupByKey(2).count(), 3);
  const grouped = writtenByLastJob();
  assert.ok(combined > 0 && combined < 1024, `combined map output: ${combined} bytes`);
  assert.ok(grouped > 100_000, `uncombined map output: ${grouped} bytes`);
});

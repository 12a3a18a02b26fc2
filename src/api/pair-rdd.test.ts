/**
 * Shuffle operations against PySpark's documented examples, plus the edges: empty sides,
 * null and tuple keys, duplicate keys, more partitions than keys, descending and keyed sorts.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { Partitioner, portableHash } from "../index.js";
import { contractContext } from "../testing/contract-context.js";
import { lastJobStageNames } from "../testing/job-metrics.js";

const { sc } = contractContext("pair-test");
after(() => sc.stop());

const byKey = <T>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
const list = <V>(vs: Iterable<V>) => [...vs];

test("reduceByKey, foldByKey, aggregateByKey, combineByKey", async () => {
  const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
  assert.deepEqual(byKey(await rdd.reduceByKey((a, b) => a + b).collect()), [["a", 2], ["b", 1]]);
  assert.deepEqual(byKey(await rdd.foldByKey(0, (a, b) => a + b).collect()), [["a", 2], ["b", 1]]);
  const pairs = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 2]]);
  const agg = await pairs.aggregateByKey([0, 0] as [number, number], (acc, v) => [acc[0] + v, acc[1] + 1] as [number, number], (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number]).collect();
  assert.deepEqual(byKey(agg), [["a", [3, 2]], ["b", [1, 1]]]);
  const x = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 2]]);
  const combined = await x.combineByKey((v) => [v], (c: number[], v) => { c.push(v); return c; }, (a, b) => a.concat(b), 2).collect();
  assert.deepEqual(byKey(combined.map(([k, vs]) => [k, [...vs].sort()])), [["a", [1, 2]], ["b", [1]]]);
});

test("aggregateByKey gives every key a fresh zero value", async () => {
  const r = await sc.parallelize<[string, number]>([["a", 1], ["b", 2], ["a", 3]], 1)
    .aggregateByKey([] as number[], (acc, v) => { acc.push(v); return acc; }, (a, b) => a.concat(b)).collect();
  assert.deepEqual(byKey(r.map(([k, vs]) => [k, [...vs].sort()])), [["a", [1, 3]], ["b", [2]]]);
});

test("groupByKey and groupBy", async () => {
  const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
  assert.deepEqual(byKey((await rdd.groupByKey().mapValues((vs) => list(vs).length).collect())), [["a", 2], ["b", 1]]);
  assert.deepEqual(byKey((await rdd.groupByKey().mapValues(list).collect())), [["a", [1, 1]], ["b", [1]]]);
  const g = await sc.parallelize([1, 1, 2, 3, 5, 8]).groupBy((x) => x % 2).collect();
  assert.deepEqual(byKey(g.map(([k, vs]) => [k, list(vs).sort()])), [[0, [2, 8]], [1, [1, 1, 3, 5]]]);
});

test("null, tuple and duplicate keys; more partitions than keys", async () => {
  const r = await sc.parallelize<[unknown, number]>([[null, 1], [["x", 1], 2], [["x", 1], 3], [null, 4]], 3).reduceByKey((a, b) => a + b, 7).collect();
  assert.deepEqual(byKey(r), byKey([[null, 5], [["x", 1], 5]]));
  assert.deepEqual(await sc.parallelize<[number, number]>([], 2).reduceByKey((a, b) => a + b).collect(), []);
});

test("distinct, subtract, subtractByKey, intersection", async () => {
  assert.deepEqual((await sc.parallelize([1, 1, 2, 3]).distinct().collect()).sort(), [1, 2, 3]);
  assert.deepEqual(byKey(await sc.parallelize([[1, "a"], [1, "a"], [2, "b"]]).distinct().collect()), [[1, "a"], [2, "b"]]);
  const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4], ["b", 5], ["a", 3]]);
  const y = sc.parallelize<[string, number]>([["a", 3], ["c", null as unknown as number]]);
  assert.deepEqual(byKey(await x.subtract(y).collect()), [["a", 1], ["b", 4], ["b", 5]]);
  const x2 = sc.parallelize<[string, number | null]>([["a", 1], ["b", 4], ["b", 5], ["a", 2]]);
  const y2 = sc.parallelize<[string, number | null]>([["a", 3], ["c", null]]);
  assert.deepEqual(byKey(await x2.subtractByKey(y2).collect()), [["b", 4], ["b", 5]]);
  const r1 = sc.parallelize([1, 10, 2, 3, 4, 5]);
  const r2 = sc.parallelize([1, 6, 2, 3, 7, 8]);
  assert.deepEqual((await r1.intersection(r2).collect()).sort((a, b) => a - b), [1, 2, 3]);
});

test("join, leftOuterJoin, rightOuterJoin, fullOuterJoin", async () => {
  const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
  const y = sc.parallelize<[string, number]>([["a", 2], ["a", 3]]);
  assert.deepEqual(byKey(await x.join(y).collect()), [["a", [1, 2]], ["a", [1, 3]]]);
  assert.deepEqual(byKey(await x.leftOuterJoin(y).collect()), [["a", [1, 2]], ["a", [1, 3]], ["b", [4, null]]]);
  assert.deepEqual(byKey(await y.rightOuterJoin(x).collect()), [["a", [2, 1]], ["a", [3, 1]], ["b", [null, 4]]]);
  const z = sc.parallelize<[string, number]>([["a", 2], ["c", 8]]);
  assert.deepEqual(byKey(await x.fullOuterJoin(z).collect()), [["a", [1, 2]], ["b", [4, null]], ["c", [null, 8]]]);
  assert.deepEqual(await x.join(sc.parallelize<[string, number]>([])).collect(), []);
});

test("cogroup and groupWith", async () => {
  const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
  const y = sc.parallelize<[string, number]>([["a", 2]]);
  assert.deepEqual(byKey(await x.cogroup(y).collect()), [["a", [[1], [2]]], ["b", [[4], []]]]);
  const w = sc.parallelize<[string, number]>([["a", 5], ["b", 6]]);
  const z = sc.parallelize<[string, number]>([["b", 42]]);
  assert.deepEqual(byKey(await w.groupWith(x, y, z).collect()), [["a", [[5], [1], [2], []]], ["b", [[6], [4], [], [42]]]]);
});

test("co-partitioned RDDs join without another shuffle", async () => {
  const p = sc.parallelize<[number, string]>([[1, "a"], [2, "b"], [3, "c"]]).partitionBy(3);
  const q = sc.parallelize<[number, string]>([[1, "x"], [3, "y"]]).partitionBy(3);
  assert.ok(p.partitioner!.equals(q.partitioner));
  const joined = p.join(q);
  assert.equal(joined.partitioner?.numPartitions, 3, "the join keeps the shared partitioner");
  assert.match(joined.toDebugString(), /HashJoinedRDD/);
  assert.equal(joined.toDebugString().match(/ShuffledRDD/g)?.length, 2, "only the two partitionBy shuffles");
  const half = p.join(sc.parallelize<[number, string]>([[1, "x"]]));
  assert.equal(half.toDebugString().match(/ShuffledRDD.* join /g)?.length, 1, "only the side not partitioned so is shuffled");
  assert.deepEqual(byKey(await joined.collect()), [[1, ["a", "x"]], [3, ["c", "y"]]]);
  // What the engine ran (Spark's own stages on Spark): the two partitionBy shuffles, then the join in the result stage.
  const file = /pair-rdd\.test\.(ts|js):\d+/.source;
  const stages = lastJobStageNames(sc);
  assert.equal(stages.length, 3, `no stage shuffles for the join: ${stages.join("; ")}`);
  assert.match(stages[0]!, new RegExp(`^collect at ${file}`));
  for (const s of stages.slice(1)) assert.match(s, new RegExp(`^partitionBy at ${file}`));
  assert.deepEqual(await half.collect(), [[1, ["a", "x"]]]);
  assert.match(lastJobStageNames(sc).join("; "), new RegExp(`join at ${file}`), "the side not partitioned so is shuffled for the join");
  assert.equal(p.partitionBy(3), p, "partitioning again by the same partitioner is a no-op");
});

test("partitionBy places keys by portableHash or the given function", async () => {
  const pairs = sc.parallelize<[number, number]>([1, 2, 3, 4, 2, 4, 1].map((x) => [x, x]));
  const sets = await pairs.partitionBy(2).glom().collect();
  assert.equal(sets.length, 2);
  for (const [i, part] of sets.entries()) for (const [k] of part) assert.equal(portableHash(k) % 2, i);
  const custom = await sc.parallelize<[string, number]>([["aa", 1], ["b", 2], ["ccc", 3]]).partitionBy(3, (k) => k.length).glom().collect();
  assert.deepEqual(custom, [[["ccc", 3]], [["b", 2]], [["aa", 1]]]);
  assert.ok(new Partitioner(4).equals(new Partitioner(4)));
  assert.ok(!new Partitioner(4).equals(new Partitioner(5)));
});

test("sortByKey and sortBy, ascending and descending, with key functions", async () => {
  const tmp: Array<[string, number]> = [["a", 1], ["b", 2], ["1", 3], ["d", 4], ["2", 5]];
  assert.deepEqual(await sc.parallelize(tmp).sortByKey().first(), ["1", 3]);
  assert.deepEqual(await sc.parallelize(tmp).sortByKey(true, 1).collect(), [["1", 3], ["2", 5], ["a", 1], ["b", 2], ["d", 4]]);
  assert.deepEqual(await sc.parallelize(tmp).sortByKey(true, 2).collect(), [["1", 3], ["2", 5], ["a", 1], ["b", 2], ["d", 4]]);
  const tmp2: Array<[string, number]> = [["Mary", 1], ["had", 2], ["a", 3], ["little", 4], ["lamb", 5], ["whose", 6], ["fleece", 7], ["was", 8], ["white", 9]];
  assert.deepEqual(await sc.parallelize(tmp2, 3).sortByKey(true, 3, (k) => k.toLowerCase()).collect(),
    [["a", 3], ["fleece", 7], ["had", 2], ["lamb", 5], ["little", 4], ["Mary", 1], ["was", 8], ["white", 9], ["whose", 6]]);
  assert.deepEqual(await sc.parallelize(tmp).sortBy((x) => x[0]).collect(), [["1", 3], ["2", 5], ["a", 1], ["b", 2], ["d", 4]]);
  assert.deepEqual(await sc.parallelize(tmp).sortBy((x) => x[1], false).collect(), [["2", 5], ["d", 4], ["1", 3], ["b", 2], ["a", 1]]);
  const nums = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
  assert.deepEqual(await sc.parallelize(nums, 4).sortBy((x) => x, false, 3).collect(), [...nums].sort((a, b) => b - a));
  assert.deepEqual(await sc.parallelize<[number, number]>([], 2).sortByKey().collect(), []);
  // Plain strings sort natively; a partition with supplementary characters still sorts by code point.
  const wide: Array<[string, number]> = [["\uffff", 1], ["b", 2], ["\ud83d\ude00", 3], ["a", 4]];
  assert.deepEqual((await sc.parallelize(wide, 1).sortByKey(true, 1).keys().collect()), ["a", "b", "\uffff", "\ud83d\ude00"]);
  assert.deepEqual((await sc.parallelize(wide, 1).sortByKey(false, 1).keys().collect()), ["\ud83d\ude00", "\uffff", "b", "a"]);
});

test("repartition, coalesce with shuffle, repartitionAndSortWithinPartitions", async () => {
  const rdd = sc.parallelize([1, 2, 3, 4, 5, 6, 7], 4);
  const r = rdd.repartition(2);
  assert.equal(r.getNumPartitions(), 2);
  const parts = await r.glom().collect();
  assert.deepEqual(parts.flat().sort(), [1, 2, 3, 4, 5, 6, 7]);
  assert.ok(Math.abs(parts[0]!.length - parts[1]!.length) <= 1, `balanced: ${parts.map((p) => p.length)}`);
  assert.equal(await rdd.repartition(10).count(), 7);
  assert.equal(rdd.coalesce(6, true).getNumPartitions(), 6);
  const x = sc.parallelize<[number, number]>([[0, 5], [3, 8], [2, 6], [0, 8], [3, 8], [1, 3]]);
  // Equal keys come in the order their shuffle blocks arrived (on Spark, not the map tasks' order): only keys are ordered.
  const sortedParts = await x.repartitionAndSortWithinPartitions(2, (k) => k % 2, true).glom().collect();
  assert.deepEqual(sortedParts.map((p) => p.map(([k]) => k)), [[0, 0, 2], [1, 3, 3]]);
  assert.deepEqual(sortedParts.map((p) => p.map(String).sort()), [["0,5", "0,8", "2,6"], ["1,3", "3,8", "3,8"]]);
});

test("countByKey, collectAsMap, lookup, reduceByKeyLocally", async () => {
  const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
  assert.deepEqual([...(await rdd.countByKey())].sort(), [["a", 2], ["b", 1]]);
  assert.deepEqual(await sc.parallelize<[number, number]>([[1, 2], [3, 4]]).collectAsMap(), new Map([[1, 2], [3, 4]]));
  assert.deepEqual([...(await rdd.reduceByKeyLocally((a, b) => a + b))].sort(), [["a", 2], ["b", 1]]);
  const l = sc.range(0, 1000).map((x) => [x, x] as [number, number]);
  assert.deepEqual(await l.lookup(42), [42]);
  const sorted = l.sortByKey();
  assert.deepEqual(await sorted.lookup(42), [42]);
  assert.deepEqual(await sorted.lookup(1024), []);
  const partitioned = l.partitionBy(10);
  assert.deepEqual(await partitioned.lookup(42), [42]);
});

test("toDebugString draws shuffle boundaries as new stages", () => {
  const s = sc.parallelize<[string, number]>([["a", 1]]).map((x) => x).reduceByKey((a, b) => a + b).mapValues((v) => v * 2).toDebugString();
  const lines = s.split("\n");
  assert.match(lines[0]!, /^\(\d+\) PipelinedRDD\[\d+\] mapValues at pair-rdd\.test\.(ts|js):\d+ \[\]$/);
  assert.match(lines[1]!, /^ \|  ShuffledRDD\[\d+\] reduceByKey at /);
  assert.match(lines[2]!, /^   \+-\(\d+\) PipelinedRDD\[\d+\] map at /);
  assert.match(lines[3]!, /^    \|  ParallelCollectionRDD\[\d+\] at /);
});

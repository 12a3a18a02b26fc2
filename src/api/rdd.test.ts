/**
 * The RDD API against PySpark's documented examples (rdd.py doctests), run on real worker
 * processes. One context for the file, on the engine the environment chooses
 * (testing/contract-context.ts); each test builds its own RDDs.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contractContext } from "../testing/contract-context.js";
import { StatCounter, TaskContext } from "../index.js";

const { sc, master, localEngineOnly } = contractContext("rdd-test");
after(() => sc.stop());

/** Why TaskContext.partitionId() is not checked on Spark in a job of some of an RDD's partitions. */

const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

test("parallelize slices as PySpark and glom shows them", async () => {
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4, 5], 2).glom().collect(), [[1, 2], [3, 4, 5]]);
  assert.deepEqual(await sc.parallelize([0, 2, 3, 4, 6], 5).glom().collect(), [[0], [2], [3], [4], [6]]);
  assert.deepEqual(await sc.parallelize([1, 2], 4).glom().collect(), [[], [1], [], [2]]);
  assert.equal(sc.parallelize([1, 2, 3], 3).getNumPartitions(), 3);
});

test("range", async () => {
  assert.deepEqual(await sc.range(5).collect(), [0, 1, 2, 3, 4]);
  assert.deepEqual(await sc.range(2, 4).collect(), [2, 3]);
  assert.deepEqual(await sc.range(1, 7, 2).collect(), [1, 3, 5]);
  assert.deepEqual(await sc.range(5, 0, -2, 2).collect(), [5, 3, 1]);
  assert.equal(await sc.range(0, 1_000_000, 1, 4).count(), 1_000_000);
});

test("map, flatMap, filter, mapPartitions, mapPartitionsWithIndex", async () => {
  const rdd = sc.parallelize(["b", "a", "c"]);
  assert.deepEqual(sorted(await rdd.map((x) => [x, 1]).collect()), [["a", 1], ["b", 1], ["c", 1]]);
  assert.deepEqual(sorted(await sc.parallelize([2, 3, 4]).flatMap((x) => Array.from({ length: x - 1 }, (_, i) => i + 1)).collect()), [1, 1, 1, 2, 2, 3]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4, 5]).filter((x) => x % 2 === 0).collect(), [2, 4]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4], 2).mapPartitions(function* (it) { let s = 0; for (const x of it) s += x; yield s; }).collect(), [3, 7]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4], 4).mapPartitionsWithIndex((i, _it) => [i]).sum(), 6);
  // flatMap over a generator and over a string (iterables, as in Python)
  assert.deepEqual(await sc.parallelize(["ab"], 1).flatMap((s) => s).collect(), ["a", "b"]);
});

test("async functions are awaited", async () => {
  const r = await sc.parallelize([1, 2, 3], 2).map(async (x) => { await new Promise((res) => setTimeout(res, 1)); return x * 10; }).filter(async (x) => x > 10).collect();
  assert.deepEqual(r, [20, 30]);
  const fm = await sc.parallelize([1, 2], 2).flatMap(async (x) => [x, x]).map((x) => x + 1).collect();
  assert.deepEqual(fm, [2, 2, 3, 3]);
});

test("a sync function that returns a Promise is a clear error", async () => {
  await assert.rejects(sc.parallelize([1], 1).map((x) => Promise.resolve(x)).collect(), /not declared async/);
});

test("a sync function that returns a Promise is a clear error after a shuffle too", async () => {
  // After an asynchronous step (a shuffle's reduce side), where records are not awaited one by one.
  await assert.rejects(sc.parallelize<[number, number]>([[1, 1]], 1).reduceByKey((a, b) => a + b).map((x) => Promise.resolve(x)).collect(), /not declared async/);
});

test("keyBy, keys, values, mapValues, flatMapValues", async () => {
  assert.deepEqual(await sc.parallelize([0, 1, 2]).keyBy((x) => x * x).collect(), [[0, 0], [1, 1], [4, 2]]);
  const pairs = sc.parallelize<[number, number]>([[1, 2], [3, 4]]);
  assert.deepEqual(await pairs.keys().collect(), [1, 3]);
  assert.deepEqual(await pairs.values().collect(), [2, 4]);
  const x = sc.parallelize<[string, string[]]>([["a", ["apple", "banana", "lemon"]], ["b", ["grapes"]]]);
  assert.deepEqual(await x.mapValues((v) => v.length).collect(), [["a", 3], ["b", 1]]);
  const y = sc.parallelize<[string, string[]]>([["a", ["x", "y", "z"]], ["b", ["p", "r"]]]);
  assert.deepEqual(await y.flatMapValues((v) => v).collect(), [["a", "x"], ["a", "y"], ["a", "z"], ["b", "p"], ["b", "r"]]);
});

test("pipe", async () => {
  assert.deepEqual(await sc.parallelize(["1", "2", "", "3"]).pipe("cat").collect(), ["1", "2", "", "3"]);
  assert.deepEqual(await sc.parallelize(["b", "a"], 1).pipe("sort").collect(), ["a", "b"]);
  assert.deepEqual(await sc.parallelize([1], 1).pipe("echo $GREETING", { GREETING: "hi" }).collect(), ["hi"]);
  await assert.rejects(sc.parallelize([1], 1).pipe("exit 3", {}, true).collect(), /exited with error code 3/);
});

test("sample and randomSplit are deterministic for a seed and disjoint", async () => {
  const rdd = sc.range(0, 1000, 1, 4);
  const a = await rdd.sample(false, 0.1, 42).collect();
  assert.deepEqual(await rdd.sample(false, 0.1, 42).collect(), a);
  assert.ok(a.length > 50 && a.length < 150, `sample size ${a.length}`);
  const withRep = await rdd.sample(true, 2, 7).count();
  assert.ok(withRep > 1700 && withRep < 2300, `with replacement ${withRep}`);
  const [s1, s2] = sc.range(0, 500, 1, 2).randomSplit([2, 3], 17);
  const x1 = await s1!.collect();
  const x2 = await s2!.collect();
  assert.equal(x1.length + x2.length, 500);
  assert.equal(new Set([...x1, ...x2]).size, 500);
  assert.ok(x1.length > 150 && x1.length < 250);
});

test("zipWithIndex and zipWithUniqueId", async () => {
  assert.deepEqual(await sc.parallelize(["a", "b", "c", "d"], 3).zipWithIndex().collect(), [["a", 0], ["b", 1], ["c", 2], ["d", 3]]);
  assert.deepEqual(await sc.parallelize(["a", "b", "c", "d", "e"], 3).zipWithUniqueId().collect(), [["a", 0], ["b", 1], ["c", 4], ["d", 2], ["e", 5]]);
});

test("union, zip, cartesian, coalesce", async () => {
  const rdd = sc.parallelize([1, 1, 2, 3]);
  assert.deepEqual(await rdd.union(rdd).collect(), [1, 1, 2, 3, 1, 1, 2, 3]);
  assert.deepEqual(await sc.union<number | string>([sc.parallelize<number | string>([1]), sc.parallelize<number | string>(["x"])]).collect(), [1, "x"]);
  const x = sc.parallelize([0, 1, 2, 3, 4], 2);
  const y = sc.parallelize([1000, 1001, 1002, 1003, 1004], 2);
  assert.deepEqual(await x.zip(y).collect(), [[0, 1000], [1, 1001], [2, 1002], [3, 1003], [4, 1004]]);
  await assert.rejects(sc.parallelize([1, 2], 2).zip(sc.parallelize([1, 2, 3], 2)).collect(), /same number of elements/);
  assert.throws(() => sc.parallelize([1], 1).zip(sc.parallelize([1], 2)), /same number of partitions/);
  assert.deepEqual(sorted(await sc.parallelize([1, 2]).cartesian(sc.parallelize(["a", "b"])).collect() as unknown as string[]), sorted([[1, "a"], [1, "b"], [2, "a"], [2, "b"]] as unknown as string[]));
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect(), [[1, 2, 3, 4, 5]]);
  assert.equal(sc.parallelize([1, 2, 3], 2).coalesce(5).getNumPartitions(), 2);
});

test("count, first, take, isEmpty", async () => {
  assert.equal(await sc.parallelize([2, 3, 4]).count(), 3);
  assert.equal(await sc.parallelize([2, 3, 4]).first(), 2);
  await assert.rejects(sc.parallelize([]).first(), /RDD is empty/);
  assert.deepEqual(await sc.parallelize([2, 3, 4, 5, 6]).take(2), [2, 3]);
  assert.deepEqual(await sc.parallelize([2, 3, 4, 5, 6]).take(10), [2, 3, 4, 5, 6]);
  assert.deepEqual(await sc.range(100).filter((x) => x > 90).take(3), [91, 92, 93]);
  assert.equal(await sc.parallelize([]).isEmpty(), true);
  assert.equal(await sc.parallelize([1]).isEmpty(), false);
  assert.equal(await sc.emptyRDD().isEmpty(), true);
  assert.deepEqual(await sc.parallelize([1, 2, 3], 10).take(0), []);
});

test("take scans few partitions: it does not compute the rest", async () => {
  // Partition 3 would throw if computed; take(2) finds its records in partition 0.
  const rdd = sc.parallelize([1, 2, 3, 4], 4).map((x) => { if (x === 4) throw new Error("computed too much"); return x; });
  assert.deepEqual(await rdd.take(1), [1]);
});

test("takeOrdered and top", async () => {
  assert.deepEqual(await sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7]).takeOrdered(6), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(await sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7], 2).takeOrdered(6, (x) => -x), [10, 9, 7, 6, 5, 4]);
  assert.deepEqual(await sc.parallelize([10, 4, 2, 12, 3]).top(1), [12]);
  assert.deepEqual(await sc.parallelize([2, 3, 4, 5, 6], 2).top(2), [6, 5]);
  assert.deepEqual(await sc.parallelize([10, 4, 2, 12, 3]).top(3, (x) => String(x)), [4, 3, 2]);
});

test("takeSample", async () => {
  const rdd = sc.range(0, 10);
  assert.equal((await rdd.takeSample(true, 20, 1)).length, 20);
  assert.equal((await rdd.takeSample(false, 5, 2)).length, 5);
  const all = await rdd.takeSample(false, 15, 3);
  assert.deepEqual(sorted(all), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await rdd.takeSample(false, 5, 9), await rdd.takeSample(false, 5, 9));
});

test("reduce, treeReduce, fold, aggregate, treeAggregate", async () => {
  assert.equal(await sc.parallelize([1, 2, 3, 4, 5]).reduce((a, b) => a + b), 15);
  assert.equal(await sc.parallelize(Array.from({ length: 10 }, (_, i) => i), 5).reduce((a, b) => a + b), 45);
  await assert.rejects(sc.parallelize<number>([]).reduce((a, b) => a + b), /empty RDD/);
  assert.equal(await sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10).treeReduce((a, b) => a + b), -5);
  assert.equal(await sc.parallelize([1, 2, 3, 4, 5]).fold(0, (a, b) => a + b), 15);
  const seqOp = (x: [number, number], y: number): [number, number] => [x[0] + y, x[1] + 1];
  const combOp = (x: [number, number], y: [number, number]): [number, number] => [x[0] + y[0], x[1] + y[1]];
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4]).aggregate([0, 0] as [number, number], seqOp, combOp), [10, 4]);
  assert.deepEqual(await sc.parallelize<number>([]).aggregate([0, 0] as [number, number], seqOp, combOp), [0, 0]);
  assert.equal(await sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10).treeAggregate(0, (a, b) => a + b, (a, b) => a + b), -5);
  // The zero value is applied once per partition and once on the driver (PySpark's fold).
  assert.equal(await sc.parallelize([1, 2], 3).fold(1, (a, b) => a + b), 7);
});

test("sum, min, max, countByValue, stats and friends", async () => {
  assert.equal(await sc.parallelize([1.0, 2.0, 3.0]).sum(), 6);
  assert.equal(await sc.parallelize<number>([]).sum(), 0);
  const rdd = sc.parallelize([1.0, 5.0, 43.0, 10.0]);
  assert.equal(await rdd.max(), 43);
  assert.equal(await rdd.max((x) => String(x)), 5);
  assert.equal(await rdd.min(), 1);
  assert.equal(await rdd.min((x) => String(x)), 1);
  await assert.rejects(sc.parallelize<number>([]).max(), /empty/);
  const counts = await sc.parallelize([1, 2, 1, 2, 2], 2).countByValue();
  assert.deepEqual(sorted([...counts]), [[1, 2], [2, 3]]);
  const tupleCounts = await sc.parallelize([["a", 1], ["a", 1], ["b", 2]]).countByValue();
  assert.equal(tupleCounts.size, 2);
  assert.equal(await sc.parallelize([1, 2, 3]).mean(), 2);
  assert.ok(Math.abs((await sc.parallelize([1, 2, 3]).variance()) - 0.6666666666666666) < 1e-12);
  assert.ok(Math.abs((await sc.parallelize([1, 2, 3]).stdev()) - 0.816496580927726) < 1e-12);
  assert.equal(await sc.parallelize([1, 2, 3]).sampleVariance(), 1);
  assert.equal(await sc.parallelize([1, 2, 3]).sampleStdev(), 1);
  const st = await sc.parallelize([1, 2, 3, 4], 3).stats();
  assert.equal(st.count(), 4);
  assert.equal(st.sum(), 10);
  assert.equal(st.min(), 1);
  assert.equal(st.max(), 4);
});

test("histogram", async () => {
  const rdd = sc.parallelize(Array.from({ length: 51 }, (_, i) => i));
  assert.deepEqual(await rdd.histogram(2), [[0, 25, 50], [25, 26]]);
  assert.deepEqual(await rdd.histogram([0, 5, 25, 50]), [[0, 5, 25, 50], [5, 20, 26]]);
  assert.deepEqual(await rdd.histogram([0, 15, 30, 45, 60]), [[0, 15, 30, 45, 60], [15, 15, 15, 6]]);
});

test("foreach and foreachPartition run in the workers", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-foreach-"));
  try {
    await sc.parallelize([1, 2, 3], 3).foreach((x) => writeFileSync(`${dir}/r${x}`, String(process.pid)));
    assert.deepEqual(sorted(readdirSync(dir)), ["r1", "r2", "r3"]);
    const pids = readdirSync(dir).map((f) => Number(readFileSync(join(dir, f), "utf8")));
    assert.ok(pids.every((p) => p !== process.pid), "ran in worker processes");
    await sc.parallelize([1, 2, 3, 4], 2).foreachPartition(async (it) => {
      const fs = await import("node:fs");
      fs.writeFileSync(`${dir}/p${[...it].join("")}`, "");
    });
    assert.ok(existsSync(join(dir, "p12")) && existsSync(join(dir, "p34")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("toLocalIterator streams every partition in order", async () => {
  const got: number[] = [];
  for await (const x of sc.range(0, 10, 1, 3).toLocalIterator()) got.push(x);
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const pre: number[] = [];
  for await (const x of sc.range(0, 5, 1, 2).toLocalIterator(true)) pre.push(x);
  assert.deepEqual(pre, [0, 1, 2, 3, 4]);
});

test("runJob applies a function per partition", async () => {
  const rdd = sc.parallelize([1, 2, 3, 4, 5, 6], 3);
  assert.deepEqual(await sc.runJob(rdd, (it) => [...it].reduce((a, b) => a + b, 0)), [3, 7, 11]);
  assert.deepEqual(await sc.runJob(rdd, (it) => [...it].length, [2]), [2]);
});

test("TaskContext.partitionId() is the RDD's partition", async () => {
  const rdd = sc.parallelize([10, 11, 12, 13], 4).map((x) => [x, TaskContext.get()!.partitionId()]);
  assert.deepEqual(await rdd.collect(), [[10, 0], [11, 1], [12, 2], [13, 3]]);
});

test("TaskContext.partitionId() is the RDD's partition in a job of some of them too", async () => {
  const rdd = sc.parallelize([10, 11, 12, 13], 4).map((x) => [x, TaskContext.get()!.partitionId()]);
  assert.deepEqual(await sc.runJob(rdd, (it) => [...it], [3]), [[[13, 3]]]);
});

test("empty RDDs and empty partitions", async () => {
  const e = sc.emptyRDD<number>();
  assert.equal(e.getNumPartitions(), 0);
  assert.deepEqual(await e.collect(), []);
  assert.equal(await e.count(), 0);
  assert.deepEqual(await e.take(3), []);
  assert.deepEqual(await sc.parallelize([], 3).glom().collect(), [[], [], []]);
  assert.deepEqual(await sc.parallelize([1], 5).map((x) => x + 1).collect(), [2]);
});

test("toDebugString shows one pipelined function per stage", () => {
  const rdd = sc.parallelize([1, 2]).map((x) => x * 2).filter((x) => x > 2).flatMap((x) => [x]);
  const s = rdd.toDebugString();
  const lines = s.split("\n");
  assert.equal(lines.length, 2, s);
  assert.match(lines[0]!, /^\(\d+\) PipelinedRDD\[\d+\] map -> filter -> flatMap at rdd\.test\.(ts|js):\d+ \[\]$/);
  assert.match(lines[1]!, /ParallelCollectionRDD\[\d+\] at rdd\.test/);
});

test("a record is decoded once per stage: steps of a pipeline run in one pass", async () => {
  // Each step sees the object produced by the previous one, in the same process, with no
  // serialization in between: identity survives across the steps of a stage.
  const out = await sc.parallelize([1, 2], 1)
    .map((x) => ({ x, tag: Symbol.for("same-object") }))
    .map((o) => { (o as { seen?: boolean }).seen = true; return o; })
    .filter((o) => (o as { seen?: boolean }).seen === true)
    .map((o) => o.x)
    .collect();
  assert.deepEqual(out, [1, 2]);
});

test("saveAsTextFile and saveAsObjectFile round trip, refuse existing output", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-save-"));
  try {
    const out = join(dir, "text");
    await sc.parallelize(["a", "b", ["c", 1]], 2).saveAsTextFile(out);
    // On Spark, Hadoop's local filesystem also writes .crc checksums beside the parts.
    assert.deepEqual(sorted(readdirSync(out).filter((f) => !f.endsWith(".crc"))), ["_SUCCESS", "part-00000", "part-00001"]);
    assert.deepEqual(sorted(await sc.textFile(out).collect()), ['["c",1]', "a", "b"]);
    await assert.rejects(sc.parallelize([1]).saveAsTextFile(out), /already exists/);
    const gz = join(dir, "gz");
    await sc.parallelize(["x", "y"], 1).saveAsTextFile(gz, "gzip");
    assert.deepEqual(await sc.textFile(gz).collect(), ["x", "y"]);
    const obj = join(dir, "obj");
    const data = [{ a: 1, b: [1n, new Date(0)] }, new Map([[1, "x"]]), "s"];
    await sc.parallelize(data, 2).saveAsObjectFile(obj);
    assert.deepEqual(await sc.objectFile(obj).collect(), data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a failed save leaves no output behind", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-save-"));
  try {
    const out = join(dir, "out");
    await assert.rejects(sc.parallelize([1, 2, 3], 3).map((x) => { if (x === 3) throw new Error("boom"); return x; }).saveAsTextFile(out), /boom/);
    assert.equal(existsSync(out), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The error of a job whose function throws at the second of three partitions. */
const throwingJobError = () => sc.parallelize([1, 2, 3], 3).map((x) => { if (x === 2) throw new RangeError(`bad record ${x}`); return x; }).collect().then(() => undefined, (e: unknown) => e as Error);

test("a throwing user function fails the job with its message and the user's line", async () => {
  const err = await throwingJobError();
  assert.ok(err instanceof Error);
  assert.match(err.message, /RangeError: bad record 2/);
  assert.match(err.message, /rdd\.test\.(ts|js):\d+/, "points at the user's file");
  assert.doesNotMatch(err.message, /executor\/|node:internal/, "no engine frames");
});

test("a throwing user function's job error names the task's partition and stage", async () => {
  assert.match((await throwingJobError())!.message, /partition 1 of stage \d+/);
});

test("getConf and defaults", () => {
  // The master the context was given: local[2] by default (local-cluster[2,1,1024] on Spark: two slots too).
  assert.equal(sc.getConf().get("tspark.master"), master);
  assert.equal(sc.getConf().get("tspark.app.name"), "rdd-test");
  assert.equal(sc.defaultParallelism, 2);
  assert.equal(sc.defaultMinPartitions, 2);
  assert.equal(sc.master, master);
  assert.equal(typeof sc.version, "string");
  // Spark's own application id on Spark (app-... on a cluster master), tspark's local-... otherwise.
  assert.match(sc.applicationId, master.startsWith("local-cluster") ? /^app-\d+-\d+$/ : /^local-\d+$/);
});

test("sampleByKey samples each key with its own fraction", async () => {
  const pairs = sc.range(0, 4000, 1, 4).map((i) => [i % 2 === 0 ? "a" : "b", i] as [string, number]);
  const counts = await pairs.sampleByKey(false, { a: 0.1, b: 0.6 }, 3).countByKey();
  assert.ok(Math.abs(counts.get("a")! - 200) < 60, `a: ${counts.get("a")}`);
  assert.ok(Math.abs(counts.get("b")! - 1200) < 120, `b: ${counts.get("b")}`);
  await assert.rejects(sc.parallelize<[string, number]>([["c", 1]]).sampleByKey(false, { a: 0.5 }).collect(), /no fraction given for key c/);
});

test("countApproxDistinct, countApprox, sumApprox, meanApprox", async () => {
  const n = await sc.range(0, 20_000, 1, 4).map((x) => x % 5000).countApproxDistinct(0.05);
  assert.ok(Math.abs(n - 5000) < 5000 * 0.15, `distinct estimate ${n}`);
  assert.equal(await sc.parallelize(["a", "b", "a", ["x", 1], ["x", 1]]).countApproxDistinct(), 3);
  assert.equal(await sc.range(0, 1000, 1, 4).countApprox(10_000), 1000, "exact when finished in time");
  const s = await sc.range(0, 100, 1, 4).sumApprox(10_000);
  assert.deepEqual(s, { mean: 4950, confidence: 1, low: 4950, high: 4950 });
  assert.equal((await sc.parallelize([1, 2, 3]).meanApprox(10_000)).mean, 2);
});

test("sumApprox with a timeout that ends before the slow partition estimates from the others", async () => {
  const slow = sc.parallelize([1, 1, 1, 1], 4).map((x) => {
    if (TaskContext.get()!.partitionId() === 3) {
      const end = Date.now() + 1500;
      while (Date.now() < end);
    }
    return x;
  });
  const est = await slow.sumApprox(700, 0.9);
  assert.ok(est.confidence === 0.9 && est.low <= est.mean && est.mean <= est.high, JSON.stringify(est));
  assert.equal(est.mean, 4, "three partitions of 1 scaled to four");
});

test("sumApprox and meanApprox give the same answer whatever order the partitions finish in", async () => {
  // Merged in completion order, these partitions' sum came out 402.2 or 402.20000000000005
  // depending on which task finished first (sum is count x mean, rounded per merge).
  const parts = [[0, 39.5, 26.7], [37.6, 59.8, 65.7], [14.1, 3.7, 3.8], [80.4, 15.1, 55.8]];
  const inOrder = new StatCounter();
  for (const p of parts) inOrder.mergeStats(new StatCounter(p));
  const firstLast = new StatCounter();
  for (const i of [1, 2, 3, 0]) firstLast.mergeStats(new StatCounter(parts[i]));
  assert.notEqual(inOrder.sum(), firstLast.sum(), "the merge order matters for these values");
  assert.notEqual(inOrder.mean(), firstLast.mean(), "the merge order matters for these values");
  // Partition 0 finishes last (on two slots: 1, 2, 3, then 0).
  const rdd = sc.parallelize(parts.flat(), 4).mapPartitionsWithIndex(async (i, it) => {
    if (i === 0) await new Promise((r) => setTimeout(r, 600));
    return [...it];
  });
  assert.equal((await rdd.sumApprox(10_000)).mean, inOrder.sum());
  assert.equal((await rdd.meanApprox(10_000)).mean, inOrder.mean());
});

test("5000 chained maps plan, run and count (no stack depth limit on a long pipeline)", async () => {
  const inc = (x: number) => x + 1;
  let r = sc.parallelize([1, 2, 3], 2);
  for (let i = 0; i < 5000; i++) r = r.map(inc);
  assert.deepEqual(await r.collect(), [5001, 5002, 5003]);
  assert.equal(await r.count(), 3);
});

test("3000 chained unions plan, run, count and describe themselves (no stack depth limit on a long lineage)", async () => {
  let r = sc.parallelize([1, 2, 3], 1);
  for (let i = 0; i < 3000; i++) r = r.union(sc.parallelize([i], 1));
  assert.equal(r.getNumPartitions(), 3001);
  assert.equal(await r.count(), 3003);
  assert.deepEqual((await r.coalesce(1).collect()).slice(0, 5), [1, 2, 3, 0, 1]);
  const lines = r.toDebugString().split("\n");
  assert.equal(lines.length, 6001);
  assert.match(lines[0]!, /^\(3001\) UnionRDD\[\d+\]/);
  assert.match(lines[6000]!, /^ \|  ParallelCollectionRDD\[\d+\]/);
});

test("1000 chained joins plan, run and collect (a task's plan thousands of nodes deep)", async () => {
  // Partitioned alike: no join shuffles, so one task runs all 1000 joins, its plan some 2000 nodes deep.
  const other = sc.parallelize<[number, number]>([[1, 1], [2, 2]], 2).partitionBy(2).cache();
  let j = sc.parallelize<[number, number]>([[1, 0], [2, 0]], 2).partitionBy(2);
  for (let i = 0; i < 1000; i++) j = j.join(other).mapValues(([a, b]) => a + b);
  assert.deepEqual(sorted(await j.collect()), [[1, 1000], [2, 2000]]);
  assert.equal(j.toDebugString().split("\n").length, 4002);
});

test("PageRank, 800 iterations without a checkpoint (a lineage of 800 shuffles)", { skip: localEngineOnly("Spark's own scheduler recurses through a lineage of 800 shuffles (a StackOverflowError in the JVM, as for PySpark; the error says to checkpoint)") }, async () => {
  const links = sc.parallelize<[string, string]>([["a", "b"], ["b", "c"], ["c", "a"], ["a", "c"], ["d", "a"]], 1).groupByKey(1).mapValues((ns) => [...ns]).cache();
  let ranks = links.mapValues(() => 1);
  for (let i = 0; i < 800; i++) {
    const contributions = links.join(ranks).flatMap(([, [ns, rank]]) => ns.map((n) => [n, rank / ns.length] as [string, number]));
    ranks = contributions.reduceByKey((a, b) => a + b, 1).mapValues((sum) => 0.15 + 0.85 * sum);
  }
  const result = new Map(await ranks.collect());
  assert.deepEqual([...result.keys()].sort(), ["a", "b", "c"]);
  assert.ok(Math.abs(result.get("a")! - 1.1634) < 1e-3 && Math.abs(result.get("c")! - 1.1922) < 1e-3, String([...result]));
  assert.equal(ranks.toDebugString().split("\n").length, 5604);
});

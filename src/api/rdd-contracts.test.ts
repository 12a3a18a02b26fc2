/**
 * Promises of the core engine that the doctest ports do not pin down: how much take and
 * toLocalIterator compute, that functions are revived once per worker and workers are
 * reused, that a synchronous pipeline makes no Promise per record, that capturing an RDD is
 * refused at submission with the variable and line, and that pair-only methods exist only
 * on pair RDDs (checked by the compiler).
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { SparkConf, TaskContext, type RDD } from "../index.js";
import { contractContext } from "../testing/contract-context.js";
import { slotsForMaster } from "./context.js";

const { sc, engine } = contractContext("contracts-test");
const dir = mkdtempSync(join(tmpdir(), "tspark-contracts-"));
after(async () => {
  await sc.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An RDD of `parts` partitions where partition p holds `sizes[p]` records; computing a partition leaves a marker file. */
function marked(tag: string, sizes: number[]): RDD<number> {
  const markers = join(dir, tag);
  return sc.parallelize(sizes.map((_, p) => p), sizes.length).flatMap((p) => {
    writeFileSync(`${markers}-${p}`, "");
    return Array.from({ length: sizes[p]! }, (_, i) => p * 1000 + i);
  });
}
const computed = (tag: string, parts: number) => Array.from({ length: parts }, (_, p) => p).filter((p) => existsSync(join(dir, `${tag}-${p}`)));

test("take scans one partition first, then four times as many while nothing is found", async () => {
  assert.deepEqual(await marked("t1", [1, 1, 1, 1, 1, 1, 1, 1]).take(1), [0]);
  assert.deepEqual(computed("t1", 8), [0], "a first partition with enough records is the only one computed");
  // Empty partitions 0..2: scan [0], then [1..4] (4x) — which finds partition 3's record.
  assert.deepEqual(await marked("t2", [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]).take(1), [3000]);
  assert.deepEqual(computed("t2", 10), [0, 1, 2, 3, 4]);
  // Partition 0 has 1 of the 4 wanted: 1.5 * 4 * 1 / 1 - 1 = 5 more, capped at 4x the scanned count.
  assert.deepEqual(await marked("t3", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]).take(4), [0, 1000, 2000, 3000]);
  assert.deepEqual(computed("t3", 10), [0, 1, 2, 3, 4]);
});

test("toLocalIterator computes one partition at a time, as it is consumed", async () => {
  const it = marked("it", [2, 2, 2]).toLocalIterator();
  assert.deepEqual((await it.next()).value, 0);
  assert.deepEqual(computed("it", 3), [0], "only the first partition is computed while it is read");
  assert.deepEqual((await it.next()).value, 1);
  assert.deepEqual((await it.next()).value, 1000);
  assert.deepEqual(computed("it", 3), [0, 1]);
  const rest: number[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value as number);
  assert.deepEqual(rest, [1001, 2000, 2001]);
});

test("functions are revived once per worker and cached; workers are reused across jobs", async () => {
  // State captured with the function lives as long as its revived copy: it counts every
  // record a worker processed across all its tasks, and across jobs of the same function.
  const state = { calls: 0 };
  const probe = sc.parallelize(Array.from({ length: 40 }, (_, i) => i), 8).map(() => [process.pid, ++state.calls] as [number, number]);
  const first = await probe.collect();
  const second = await probe.collect();
  const byPid = new Map<number, number[]>();
  for (const [pid, n] of [...first, ...second]) byPid.set(pid, [...(byPid.get(pid) ?? []), n]);
  assert.ok(byPid.size >= 1 && byPid.size <= 2, "two long-lived workers ran both jobs");
  // tspark's engine lists its workers; on Spark, the executors' worker daemons keep theirs.
  if (engine === "local") for (const pid of byPid.keys()) assert.ok(sc.workerPids().includes(pid), "the same worker processes");
  for (const [pid, counts] of byPid) {
    assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: counts.length }, (_, i) => i + 1), `worker ${pid} counted every record with one revived function`);
  }
  assert.equal(state.calls, 0, "the driver's copy was never called");
});

test("a synchronous pipeline makes no Promise per record; an async function does", async () => {
  // A microtask queued at a partition's first record runs only when the task yields to the
  // event loop: in a synchronous pipeline, not before the partition's last record.
  const probe = (x: number) => {
    const g = globalThis as unknown as { probe?: { id: number; ran: boolean } };
    const id = TaskContext.get()!.taskAttemptId();
    if (g.probe?.id !== id) {
      const p = { id, ran: false };
      g.probe = p;
      queueMicrotask(() => (p.ran = true));
    }
    return [x, g.probe.ran] as [number, boolean];
  };
  const sync = await sc.parallelize(Array.from({ length: 500 }, (_, i) => i), 1).map((x) => x + 1).filter((x) => x > 0).map(probe).collect();
  assert.equal(sync.length, 500);
  assert.ok(sync.every(([, ran]) => !ran), "no await between records");
  // The control: the probe inside an async step sees the awaits between records. (A sync step
  // after an async one sees whole batches: it awaits once per batch, not per record.)
  const viaAsync = await sc.parallelize(Array.from({ length: 500 }, (_, i) => i), 1).map(async (x) => probe(x + 1)).collect();
  assert.ok(viaAsync.some(([, ran]) => ran), "the control: an async step does await");
});

test("capturing an RDD is refused at submission, naming the variable and this file's line", async () => {
  const lookupTable = sc.parallelize([1, 2, 3]);
  const err = await sc.parallelize([1]).map((x) => lookupTable.count().then((n) => n + x)).collect().then(() => undefined, (e: unknown) => e as Error & { code?: string });
  assert.ok(err);
  assert.equal(err.code, "CLOSURE_CAPTURE");
  assert.match(err.message, /"lookupTable" \(an RDD\)/);
  assert.match(err.message, /SPARK-5063/);
  assert.match(err.message, /rdd-contracts\.test\.(ts|js):\d+/);
});

test("PySpark doctests not ported elsewhere: coalesce's slices, saveAsTextFile of empty lines, treeReduce depths", async () => {
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4, 5], 3).glom().collect(), [[1], [2, 3], [4, 5]]);
  assert.deepEqual(await sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect(), [[1, 2, 3, 4, 5]]);
  const out = join(dir, "empty-lines");
  await sc.parallelize(["", "foo", "", "bar", ""]).saveAsTextFile(out);
  assert.deepEqual((await sc.textFile(out).collect()).sort(), ["", "", "", "bar", "foo"]);
  const rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10);
  for (const depth of [1, 2, 5, 10]) assert.equal(await rdd.treeReduce((a, b) => a + b, depth), -5, `depth ${depth}`);
  await assert.rejects(rdd.treeReduce((a, b) => a + b, 0), /depth/i);
});

test("a sum of bigints stays an exact bigint, whatever the partitions (empty ones included)", async () => {
  const big = 2n ** 60n;
  for (const parts of [1, 2, 4, 7]) assert.equal(await sc.parallelize([big, 1n], parts).sum(), big + 1n, `${parts} partitions`);
  const typed: bigint = await sc.parallelize([1n]).sum();
  assert.equal(typed, 1n);
  assert.equal(await sc.parallelize([1, 2.5], 4).sum(), 3.5);
});

test("workers read their own input: the driver reads only results", { skip: existsSync("/proc/self/io") ? false : "needs /proc (Linux)" }, async () => {
  const input = join(dir, "big-input.txt");
  writeFileSync(input, `${"x".repeat(99)}\n`.repeat(200_000)); // 20 MB
  const readByDriver = () => Number(/^rchar: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))![1]);
  const before = readByDriver();
  assert.equal(await sc.textFile(input, 4).filter((l) => l.length === 99).count(), 200_000);
  const read = readByDriver() - before;
  assert.ok(read < 2 * 1024 * 1024, `the driver read ${read} bytes for a 20 MB input`);
});

test("context properties", () => {
  assert.ok(sc.startTime <= Date.now() && sc.startTime > Date.now() - 10 * 60_000);
  assert.equal(sc.sparkUser(), process.env["SPARK_USER"] ?? userInfo().username);
  assert.throws(() => sc.setLogLevel("LOUD"), /log level/i);
  sc.setLogLevel("WARN");
});

test("masters: local[*] (the default) is one worker per core; local[0] is refused", () => {
  assert.equal(new SparkConf().get("tspark.master"), "local[*]");
  assert.equal(slotsForMaster("local[*]"), availableParallelism());
  assert.throws(() => slotsForMaster("local[0]"), /at least one worker/);
});

// Compile-time checks: tsc fails the build if a pair-only method becomes callable on a
// non-pair RDD (each @ts-expect-error must see an error).
export function typeChecks(nums: RDD<number>, pairs: RDD<[string, number]>): void {
  // @ts-expect-error reduceByKey needs an RDD of [key, value] pairs
  nums.reduceByKey((a: number, b: number) => a + b);
  // @ts-expect-error join needs pairs
  nums.join(pairs);
  // @ts-expect-error keys needs pairs
  nums.keys();
  // @ts-expect-error mapValues needs pairs
  nums.mapValues((v: number) => v);
  // @ts-expect-error sum needs numbers
  pairs.sum();
  pairs.reduceByKey((a, b) => a + b);
  void nums.sum();
}

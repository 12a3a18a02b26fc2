/**
 * Persistence and shared variables: cache/persist/unpersist, eviction, disk levels,
 * broadcast variables delivered once per worker, accumulators merged once per task. On the
 * engine testing/contract-context.ts chooses; on Spark, Spark's block manager keeps the
 * blocks, in the sliver of storage memory given it here.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { StorageLevel, TaskContext, type AccumulatorParam } from "../index.js";
import { contractContext } from "../testing/contract-context.js";
import { lastJobMetric } from "../testing/job-metrics.js";
import { storageOf } from "../testing/storage-status.js";
import { EVICTING_SPARK_CONF, evictingFiller, letters } from "../testing/eviction-data.js";

const { sc, engine } = contractContext("persistence-test", { "tspark.storage.memory": "4m" }, EVICTING_SPARK_CONF);
after(() => sc.stop());

test("a cached RDD's function runs once across three actions", async () => {
  const calls = sc.accumulator(0);
  const rdd = sc.parallelize(Array.from({ length: 100 }, (_, i) => i), 4).map((x) => {
    calls.add(1);
    return x * 2;
  }).cache();
  assert.equal(rdd.getStorageLevel(), StorageLevel.MEMORY_ONLY);
  assert.equal(await rdd.count(), 100);
  assert.equal(await rdd.sum(), 9900);
  assert.deepEqual((await rdd.collect()).slice(0, 3), [0, 2, 4]);
  assert.equal(calls.value, 100, "each record computed once");
  assert.equal((await storageOf(sc, rdd, (s) => s.cachedPartitions === 4)).cachedPartitions, 4);
  rdd.unpersist();
  assert.equal(rdd.getStorageLevel(), StorageLevel.NONE);
  await rdd.count();
  assert.equal(calls.value, 200, "recomputed after unpersist");
});

test("a persisted RDD ends a pipeline; toDebugString shows its level", () => {
  const base = sc.parallelize([1, 2]).map((x) => x + 1).persist(StorageLevel.MEMORY_AND_DISK);
  const child = base.map((x) => x * 2);
  const s = child.toDebugString();
  assert.match(s, /PipelinedRDD\[\d+\] map at .* \[\]\n \|  PipelinedRDD\[\d+\] map at .* \[Disk Memory Deserialized 1x Replicated\]/);
  assert.throws(() => base.persist(StorageLevel.DISK_ONLY), /Cannot change the storage level/);
  base.unpersist();
});

test("DISK_ONLY blocks survive the eviction of everything in memory", async () => {
  const calls = sc.accumulator(0);
  const onDisk = sc.range(0, 2000, 1, 2).map((x) => {
    calls.add(1);
    return `${x}`.padStart(10, "0");
  }).persist(StorageLevel.DISK_ONLY);
  assert.equal(await onDisk.count(), 2000);
  // Fill the memory store several times over with other cached data.
  const filler = evictingFiller(sc);
  assert.equal(await filler.count(), 240_000);
  assert.equal(await onDisk.filter((s) => s.endsWith("7")).count(), 200);
  assert.equal(calls.value, 2000, "the DISK_ONLY RDD was not recomputed");
  filler.unpersist();
  onDisk.unpersist();
});

test("MEMORY_ONLY blocks evicted by newer ones are recomputed from lineage", async () => {
  const calls = sc.accumulator(0);
  const a = sc.range(0, 60_000, 1, 2).map((x) => {
    calls.add(1);
    return `a-${x}-${letters(x)}`;
  }).cache();
  await a.count();
  const b = evictingFiller(sc);
  await b.count();
  const left = await storageOf(sc, a, (s) => s.cachedPartitions < 2);
  assert.ok(left.cachedPartitions < 2, `evicted (MEMORY_ONLY: dropped): ${JSON.stringify(left)}`);
  assert.equal(await a.count(), 60_000, "still correct after eviction");
  assert.ok(calls.value > 60_000, `evicted, so computed again (${calls.value} calls)`);
  a.unpersist();
  b.unpersist();
});

test("a broadcast value reaches each worker once, decoded lazily, even at 100 MB", async () => {
  const big = new Uint8Array(100 * 1024 * 1024);
  big[12345] = 7;
  const b = sc.broadcast(big);
  const rdd = sc.parallelize(Array.from({ length: 8 }, (_, i) => i), 8).map((i): [number, number] => [b.value[12345]! + b.value.length * 0 + i, process.pid]);
  const out = await rdd.collect();
  assert.deepEqual(out.map(([x]) => x), [7, 8, 9, 10, 11, 12, 13, 14]);
  const bytes = lastJobMetric(sc, "broadcastBytesRead");
  // 8 tasks on fewer workers (2 on tspark's engine; Spark 3.5 may start more): the value was read at most once per worker, not once per task.
  const workers = new Set(out.map(([, pid]) => pid)).size;
  assert.ok(workers < 8 && bytes >= big.length && bytes <= workers * (big.length + 1024), `broadcast bytes read: ${bytes} by ${workers} workers`);
  const again = await sc.parallelize([0, 1], 2).map((i) => b.value[12345]! + i).collect();
  assert.deepEqual(again, [7, 8]);
  b.destroy();
  assert.throws(() => b.value, /after it was destroyed/);
  await assert.rejects(sc.parallelize([1]).map(() => b.value.length).collect(), /after it was destroyed/);
});

test("broadcast unpersist makes workers read the value again", async () => {
  const b = sc.broadcast({ factor: 3 });
  assert.deepEqual(await sc.parallelize([1, 2], 2).map((x) => x * b.value.factor).collect(), [3, 6]);
  b.unpersist();
  assert.deepEqual(await sc.parallelize([1, 2], 2).map((x) => x * b.value.factor).collect(), [3, 6]);
});

test("accumulators: numeric and custom; reading the value in a task is an error", async () => {
  const n = sc.accumulator(0);
  await sc.parallelize([1, 2, 3, 4]).foreach((x) => n.add(x));
  assert.equal(n.value, 10);
  n.add(5);
  assert.equal(n.value, 15);
  const setParam: AccumulatorParam<string[]> = {
    zero: () => [],
    addInPlace: (a, b) => [...a, ...b].sort(),
  };
  const words = sc.accumulator<string[]>([], setParam);
  await sc.parallelize(["b", "a", "c"], 3).foreach((w) => words.add([w]));
  assert.deepEqual(words.value, ["a", "b", "c"]);
  await assert.rejects(sc.parallelize([1]).map(() => n.value).collect(), /can only be read on the driver/);
});

test("an accumulator is not double-counted when a task is retried", async () => {
  const seen = sc.accumulator(0);
  const out = await sc.parallelize([1, 2, 3, 4], 2).map((x) => {
    seen.add(1);
    // The first attempt of partition 1 fails after adding; only the retry's additions count.
    if (x === 4 && TaskContext.get()!.attemptNumber() === 0) throw new Error("transient");
    return x;
  }).collect();
  assert.deepEqual(out, [1, 2, 3, 4]);
  assert.equal(seen.value, 4);
});

test("TaskContext in tasks; undefined on the driver", async () => {
  assert.equal(TaskContext.get(), undefined);
  sc.setLocalProperty("team", "data");
  const infos = await sc.parallelize([1, 2, 3], 3).map((_x) => {
    const tc = TaskContext.get()!;
    return [tc.partitionId(), tc.attemptNumber(), tc.getLocalProperty("team"), tc.cpus(), typeof tc.stageId(), typeof tc.taskAttemptId()];
  }).collect();
  assert.deepEqual(infos, [[0, 0, "data", 1, "number", "number"], [1, 0, "data", 1, "number", "number"], [2, 0, "data", 1, "number", "number"]]);
  sc.setLocalProperty("team", null);
  assert.equal(sc.getLocalProperty("team"), undefined);
});

test("checkpoint writes the RDD after its first job and cuts the lineage", async () => {
  const { mkdtempSync, rmSync, readdirSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "tspark-ckpt-"));
  try {
    const fresh = sc.parallelize([1, 2]);
    assert.throws(() => (sc.getCheckpointDir() === undefined ? fresh.checkpoint() : (() => { throw new Error("Checkpoint directory has not been set"); })()), /Checkpoint directory has not been set/);
    sc.setCheckpointDir(dir);
    const calls = sc.accumulator(0);
    const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 2], ["a", 3]], 2).reduceByKey((a, b) => a + b).map((kv) => {
      calls.add(1);
      return kv;
    });
    rdd.checkpoint();
    assert.equal(rdd.isCheckpointed(), false);
    assert.equal((await rdd.collect()).length, 2);
    assert.equal(rdd.isCheckpointed(), true);
    // A directory of the RDD's partitions (on Spark, Spark's Hadoop path of it: a file: URI here).
    const file = rdd.getCheckpointFile()!;
    const written = readdirSync(file.startsWith("file:") ? fileURLToPath(new URL(file)) : file);
    assert.equal(written.filter((f) => f.startsWith("part-")).length, 2, `${file}: ${written.join(", ")}`);
    assert.match(rdd.toDebugString(), /^\(2\) ReliableCheckpointRDD\[\d+\]/);
    assert.equal(rdd.toDebugString().split("\n").length, 1, "lineage cut");
    const before = calls.value;
    assert.deepEqual((await rdd.collect()).sort(), [["a", 4], ["b", 2]]);
    assert.equal(calls.value, before, "read from the checkpoint, not recomputed");
    const local = sc.parallelize([1, 2, 3]).map((x) => x * 2);
    local.localCheckpoint();
    await local.count();
    assert.equal(local.isCheckpointed(), true);
    assert.equal(local.getStorageLevel(), StorageLevel.MEMORY_AND_DISK);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("addFile and SparkFiles.get in tasks", async () => {
  const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { SparkFiles } = await import("../index.js");
  const dir = mkdtempSync(join(tmpdir(), "tspark-files-"));
  try {
    writeFileSync(join(dir, "greeting.txt"), "hello");
    sc.addFile(join(dir, "greeting.txt"));
    const got = await sc.parallelize([1, 2], 2).map((x) => `${readFileSync(SparkFiles.get("greeting.txt"), "utf8")} ${x}`).collect();
    assert.deepEqual(got, ["hello 1", "hello 2"]);
    assert.equal(readFileSync(SparkFiles.get("greeting.txt"), "utf8"), "hello", "on the driver too");
    assert.throws(() => sc.addFile(dir), /is a directory/);
    assert.throws(() => sc.addFile(join(dir, "missing")), /does not exist/);
    // The same file again is fine; another file under the same name is refused (as Spark does), not a silent swap.
    sc.addFile(join(dir, "greeting.txt"));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "other"));
    writeFileSync(join(dir, "other", "greeting.txt"), "bonjour");
    assert.throws(() => sc.addFile(join(dir, "other", "greeting.txt")), /a file named greeting\.txt was already added \(from .*greeting\.txt\); .*cannot be added under the same name/);
    assert.equal(readFileSync(SparkFiles.get("greeting.txt"), "utf8"), "hello");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a broadcast whose file was removed (a temporary-file cleaner) is written again when a job ships it", async () => {
  const { rmSync, existsSync } = await import("node:fs");
  const b = sc.broadcast({ greeting: "hello" });
  rmSync(b.path);
  assert.deepEqual(await sc.parallelize([1, 2], 2).map((x) => `${b.value.greeting} ${x}`).collect(), ["hello 1", "hello 2"]);
  assert.ok(existsSync(b.path));
});

test("a broadcast whose file was damaged fails the job naming the file, never a different value", async () => {
  const { readFileSync, writeFileSync } = await import("node:fs");
  const b = sc.broadcast({ greeting: "hello" });
  const bytes = readFileSync(b.path);
  bytes[bytes.length - 3]! ^= 0x01; // inside "hello"
  writeFileSync(b.path, bytes);
  // The worker names the file it read: the driver's on tspark's engine, the executor's copy Spark made of it on Spark.
  const names = (message: string) => (engine === "spark" ? new RegExp(`broadcast variable ${b.id}'s file \\S+broadcast_\\d+_python is damaged`).test(message) : message.includes(`broadcast variable ${b.id}'s file ${b.path} is damaged`));
  await assert.rejects(sc.parallelize([1], 1).map((x) => `${b.value.greeting} ${x}`).collect(), (e: Error) => names(e.message));
  b.destroy();
});

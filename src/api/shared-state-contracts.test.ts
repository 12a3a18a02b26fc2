/**
 * Persistence, shared variables and job control: the promises of the issue that the main
 * tests leave implicit. MEMORY_AND_DISK blocks evicted from memory go to disk (not
 * recomputed), `_2` levels are accepted, broadcasts are read only by tasks that use them,
 * concurrent jobs interleave on the workers, cancelling without interrupt leaves the
 * workers alone, descriptions and names are kept, each task's CPU profile is written where
 * tspark.worker.profileDir says. On the engine testing/contract-context.ts
 * chooses: what Spark answers differently is said where it does.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { contractContext } from "../testing/contract-context.js";
import { SparkFiles, StorageLevel, TaskContext } from "../index.js";
import { lastJobMetric } from "../testing/job-metrics.js";
import { storageOf } from "../testing/storage-status.js";
import { EVICTING_SPARK_CONF, evictingFiller, letters } from "../testing/eviction-data.js";
import { captureClosure } from "../closure/capture.js";
import { profileFileName } from "../worker/task-profiler.js";

const profiles = mkdtempSync(join(tmpdir(), "tspark-profiles-"));
const { sc, engine } = contractContext("shared-state-test", { "tspark.storage.memory": "4m", "tspark.worker.profileDir": profiles }, EVICTING_SPARK_CONF);
after(async () => {
  await sc.stop();
  rmSync(profiles, { recursive: true, force: true });
});

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

// On Spark, Spark's block manager keeps the blocks: its storage memory (a sliver of the
// executors' heap here, spark.memory.fraction) decides what is evicted, not tspark.storage.memory.
test("MEMORY_AND_DISK blocks evicted from memory are read back from disk, not recomputed", async () => {
  const calls = sc.accumulator(0);
  const kept = sc.range(0, 60_000, 1, 2).map((x) => {
    calls.add(1);
    return `kept-${x}-${letters(x)}k`;
  }).persist(StorageLevel.MEMORY_AND_DISK);
  assert.equal(await kept.count(), 60_000);
  const before = await storageOf(sc, kept, (s) => s.cachedPartitions === 2);
  assert.ok(before.cachedPartitions === 2 && before.memoryBytes > 0, `kept in memory first: ${JSON.stringify(before)}`);
  const filler = evictingFiller(sc);
  assert.equal(await filler.count(), 240_000);
  const after = await storageOf(sc, kept, (s) => s.diskBytes > 0);
  assert.ok(after.cachedPartitions === 2 && after.diskBytes > 0, `evicted to disk: ${JSON.stringify(after)}`);
  assert.equal(await kept.filter((s) => s.endsWith("k")).count(), 60_000);
  assert.equal(calls.value, 60_000, "evicted to disk, so never recomputed");
  filler.unpersist();
  kept.unpersist();
});

test("the _2 storage levels are accepted and behave as their single-copy levels", async () => {
  for (const level of [StorageLevel.MEMORY_ONLY_2, StorageLevel.MEMORY_AND_DISK_2, StorageLevel.DISK_ONLY_2]) {
    const calls = sc.accumulator(0);
    const rdd = sc.parallelize([1, 2, 3], 2).map((x) => {
      calls.add(1);
      return x;
    }).persist(level);
    assert.equal(rdd.getStorageLevel(), level);
    assert.equal(await rdd.sum(), 6);
    assert.equal(await rdd.count(), 3);
    assert.equal(calls.value, 3, `${level} cached`);
    rdd.unpersist();
  }
});

test("id, name and setName", () => {
  const a = sc.parallelize([1]);
  const b = a.map((x) => x);
  assert.ok(Number.isInteger(a.id) && b.id > a.id, "ids grow");
  assert.equal(a.name(), undefined);
  assert.equal(a.setName("numbers"), a);
  assert.equal(a.name(), "numbers");
  assert.match(a.toDebugString(), /numbers/);
});

test("a broadcast's value is read in the tasks that use it", async () => {
  const b = sc.broadcast(new Uint8Array(1024).fill(1));
  assert.deepEqual(await sc.parallelize([0, 1, 2, 3], 4).map((x) => (x === 3 ? b.value.length : x)).collect(), [0, 1, 2, 1024]);
  b.destroy();
});

test("an accumulator sums what every task added; only the driver reads its value", async () => {
  const n = sc.accumulator(0);
  await sc.parallelize([1, 2, 3, 4], 4).foreach((x) => n.add(x));
  assert.equal(n.value, 10);
  await assert.rejects(sc.parallelize([1], 1).map(() => n.value).collect(), /can only be read on the driver/);
});

test("a broadcast is read only by the tasks that use its value", async () => {
  const b = sc.broadcast(new Uint8Array(8 * 1024 * 1024).fill(1));
  const stageBytes = () => lastJobMetric(sc, "broadcastBytesRead");
  // Every task carries the broadcast in its closure; only partition 3 reads the value.
  const r = await sc.parallelize([0, 1, 2, 3], 4).map((x) => (x === 3 ? b.value.length : x)).collect();
  assert.deepEqual(r, [0, 1, 2, 8 * 1024 * 1024]);
  const read = stageBytes();
  assert.ok(read >= 8 * 1024 * 1024 && read < 2 * 8 * 1024 * 1024, `one worker decoded it: ${read} bytes`);
  b.destroy();
});

test("a worker keeps its copy of a broadcast value across jobs until the broadcast is unpersisted", async () => {
  const b = sc.broadcast({ factor: 3 } as { factor: number; stamp?: number });
  // Each worker stamps the copy it decoded; a worker that still holds that copy answers with its stamp.
  const stamps = async () => {
    const seen = await sc.parallelize([1, 2, 3, 4, 5, 6, 7, 8], 8).map((x): [number, number, number] => [process.pid, (b.value.stamp ??= Math.random()), x * b.value.factor]).collect();
    assert.deepEqual(seen.map((s) => s[2]), [3, 6, 9, 12, 15, 18, 21, 24]);
    return new Map(seen.map(([pid, stamp]) => [pid, stamp]));
  };
  const first = await stamps();
  // A job whose functions do not use it (on Spark its tasks do not list it) leaves the copies alone.
  assert.equal(await sc.parallelize([1, 2, 3, 4, 5, 6, 7, 8], 8).map((x) => x + 1).count(), 8);
  const kept = await stamps();
  const common = (a: Map<number, number>, c: Map<number, number>) => [...a.keys()].filter((pid) => c.has(pid));
  assert.ok(common(first, kept).length > 0, "the two jobs shared a worker");
  for (const pid of common(first, kept)) assert.equal(kept.get(pid), first.get(pid), `worker ${pid} kept its copy`);
  b.unpersist();
  const again = await stamps();
  assert.ok(common(first, again).length > 0, "the jobs shared a worker");
  for (const pid of common(first, again)) assert.notEqual(again.get(pid), first.get(pid), `worker ${pid} read the value again`);
  b.destroy();
});

// On Spark the persisted RDD's JVM RDD, made before the unpersist, still lists the old Spark
// broadcast (left to Spark's context cleaner, never unpersisted at once): its executors read it again.
test("an evicted partition computed again after its broadcast was unpersisted reads the value again", async () => {
  const b = sc.broadcast({ offset: 1000 });
  // Live when `shifted` is made, not used by it, destroyed before it is computed again: not its business.
  const unrelated = sc.broadcast("unrelated");
  const calls = sc.accumulator(0);
  // As large as the MEMORY_AND_DISK test's blocks: Spark evicts a block only if that frees all a newer one lacks.
  const shifted = sc.range(0, 60_000, 1, 2).map((x) => {
    calls.add(1);
    return `${x + b.value.offset}-${letters(x)}`;
  }).cache();
  assert.equal(await shifted.count(), 60_000);
  b.unpersist();
  unrelated.destroy();
  const filler = evictingFiller(sc);
  await filler.count();
  const left = await storageOf(sc, shifted, (s) => s.cachedPartitions < 2);
  assert.ok(left.cachedPartitions < 2, `evicted (MEMORY_ONLY: dropped): ${JSON.stringify(left)}`);
  assert.equal(await shifted.map((s) => Number(s.slice(0, s.indexOf("-")))).reduce((a, c) => Math.min(a, c)), 1000);
  assert.ok(calls.value > 60_000, `computed again from its lineage (${calls.value} calls)`);
  filler.unpersist();
  shifted.unpersist();
  b.destroy();
});

test("a closure referring to a broadcast carries its id, not its value", () => {
  const b = sc.broadcast(new Uint8Array(50 * 1024 * 1024));
  const { bytes } = captureClosure((i: number) => b.value[i]);
  assert.ok(bytes.length < 64 * 1024, `closure of ${bytes.length} bytes`);
  b.destroy();
});

test("two concurrent jobs interleave on the workers (on Spark: one after the other, as its FIFO scheduling says)", async () => {
  // Each task reports [job, start, end, task attempt id]; with fair sharing (tspark's engine)
  // neither job runs all its tasks before the other starts.
  type Report = [string, number, number, number];
  const tasks = (job: string) => sc.range(0, 6, 1, 6).map((): Report => {
    const start = Date.now();
    busy(60);
    return [job, start, Date.now(), TaskContext.get()!.taskAttemptId()];
  }).collect();
  const [a, b] = await Promise.all([tasks("a"), tasks("b")]);
  if (engine === "spark") {
    // Spark's default spark.scheduler.mode=FIFO (its job-scheduling docs): the job it numbered
    // first has every slot from its submission until all its tasks are launched, so its six
    // task ids (Spark counts launches) are consecutive. (The job Spark numbered first is not
    // always the first to start: the other may take the free slots before it is submitted.)
    const ids = (xs: Report[]) => xs.map((x) => x[3]);
    const consecutive = (xs: Report[]) => Math.max(...ids(xs)) - Math.min(...ids(xs)) === xs.length - 1;
    assert.ok(consecutive(a) || consecutive(b), `FIFO: task ids ${ids(a)} and ${ids(b)}`);
    return;
  }
  const firstStart = (xs: Report[]) => Math.min(...xs.map((x) => x[1]));
  const lastEnd = (xs: Report[]) => Math.max(...xs.map((x) => x[2]));
  assert.ok(firstStart(b) < lastEnd(a) && firstStart(a) < lastEnd(b), "the jobs overlapped");
});

test("cancelling a group without interruptOnCancel fails the job but leaves its running tasks' workers alone", async () => {
  await sc.range(0, 2).count();
  const pids = sc.workerPids();
  sc.setJobGroup("gentle", "cancelled without interrupt", false);
  const job = sc.parallelize([1, 2], 2).map((x) => {
    busy(800);
    return x;
  }).collect();
  sc.setLocalProperty("spark.jobGroup.id", null);
  sc.setLocalProperty("spark.job.interruptOnCancel", null);
  while (sc.statusTracker().getActiveStageIds().length === 0) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  sc.cancelJobGroup("gentle");
  await assert.rejects(job, /cancelled job group gentle/);
  assert.equal(await sc.parallelize([1, 2, 3]).count(), 3, "the next job runs once the tasks finish");
  assert.deepEqual(sc.workerPids().sort(), [...pids].sort(), "no worker was killed");
});

test("the job description and group are local properties visible to tasks", async () => {
  sc.setJobGroup("g1", "nightly totals");
  const props = await sc.parallelize([1], 1).map(() => {
    const tc = TaskContext.get()!;
    return [tc.getLocalProperty("spark.jobGroup.id"), tc.getLocalProperty("spark.job.description")];
  }).collect();
  assert.deepEqual(props, [["g1", "nightly totals"]]);
  sc.setJobDescription("other");
  assert.equal(sc.getLocalProperty("spark.job.description"), "other");
  sc.setLocalProperty("spark.jobGroup.id", null);
  sc.setLocalProperty("spark.job.description", null);
  sc.setLocalProperty("spark.job.interruptOnCancel", null);
});

test("SparkFiles.getRootDirectory on the driver and in tasks", async () => {
  const driverRoot = SparkFiles.getRootDirectory();
  assert.ok(driverRoot.startsWith(sc.localDir));
  const [fromTask] = await sc.parallelize([1], 1).map(() => [SparkFiles.getRootDirectory(), existsSync(SparkFiles.getRootDirectory())] as [string, boolean]).collect();
  const [taskRoot, exists] = fromTask!;
  if (engine === "spark") {
    // As in PySpark: a task's root is where its executor keeps added files (the executor's
    // working directory; Spark's userFiles directory in local mode), not the driver's.
    assert.ok(isAbsolute(taskRoot) && exists && taskRoot !== driverRoot, taskRoot);
  } else {
    assert.equal(taskRoot, driverRoot);
  }
});

test("a file added with addFile is read in tasks with SparkFiles.get", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-addfile-"));
  try {
    writeFileSync(join(dir, "contract-greeting.txt"), "hello");
    sc.addFile(join(dir, "contract-greeting.txt"));
    assert.deepEqual(await sc.parallelize([1, 2], 2).map((x) => `${readFileSync(SparkFiles.get("contract-greeting.txt"), "utf8")} ${x}`).collect(), ["hello 1", "hello 2"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each task's worker writes a CPU profile of the task where tspark.worker.profileDir says", async () => {
  const tasks = await sc.parallelize([1, 2], 2).map(function busyProfiledStep(x) {
    const end = Date.now() + 60;
    while (Date.now() < end);
    const tc = TaskContext.get()!;
    return { stageId: tc.stageId(), partition: tc.partitionId(), attempt: tc.attemptNumber(), taskId: tc.taskAttemptId(), x };
  }).collect();
  assert.equal(tasks.length, 2);
  for (const t of tasks) {
    const profile = JSON.parse(readFileSync(join(profiles, profileFileName(t)), "utf8")) as { nodes: Array<{ callFrame: { functionName: string } }>; samples: number[] };
    assert.ok(profile.samples.length > 0);
    assert.ok(profile.nodes.some((n) => n.callFrame.functionName === "busyProfiledStep"), "the user's function was sampled");
  }
});

/**
 * Persistence, shared variables and job control: the promises of the issue that the main
 * tests leave implicit. MEMORY_AND_DISK blocks evicted from memory go to disk (not
 * recomputed), `_2` levels are accepted, broadcasts are read only by tasks that use them,
 * concurrent jobs interleave on the workers, cancelling without interrupt leaves the
 * workers alone, descriptions and names are kept.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext, SparkFiles, StorageLevel, TaskContext } from "../index.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import { captureClosure } from "../closure/capture.js";

const sc = new SparkContext({ master: "local[2]", appName: "shared-state-test", conf: { "tspark.storage.memory": "4m" } });
after(() => sc.stop());

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

test("MEMORY_AND_DISK blocks evicted from memory are read back from disk, not recomputed", async () => {
  const calls = sc.accumulator(0);
  const kept = sc.range(0, 60_000, 1, 2).map((x) => {
    calls.add(1);
    return `kept-${x}-${"k".repeat(40)}`;
  }).persist(StorageLevel.MEMORY_AND_DISK);
  assert.equal(await kept.count(), 60_000);
  // Several times the 4 MB memory store of newer blocks: `kept` is evicted.
  const filler = sc.range(0, 200_000, 1, 2).map((x) => `filler-${x}-${"f".repeat(40)}`).cache();
  assert.equal(await filler.count(), 200_000);
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

test("a broadcast is read only by the tasks that use its value", async () => {
  const b = sc.broadcast(new Uint8Array(8 * 1024 * 1024).fill(1));
  const stageBytes = () => {
    const t = sc.statusTracker();
    const job = Math.max(...t.getJobIdsForGroup(undefined));
    return t.getJobInfo(job)!.stageIds.reduce((s, id) => s + (runtimeOf(sc).stageMetrics(id)?.broadcastBytesRead ?? 0), 0);
  };
  // Every task carries the broadcast in its closure; only partition 3 reads the value.
  const r = await sc.parallelize([0, 1, 2, 3], 4).map((x) => (x === 3 ? b.value.length : x)).collect();
  assert.deepEqual(r, [0, 1, 2, 8 * 1024 * 1024]);
  const read = stageBytes();
  assert.ok(read >= 8 * 1024 * 1024 && read < 2 * 8 * 1024 * 1024, `one worker decoded it: ${read} bytes`);
  b.destroy();
});

test("a closure referring to a broadcast carries its id, not its value", () => {
  const b = sc.broadcast(new Uint8Array(50 * 1024 * 1024));
  const { bytes } = captureClosure((i: number) => b.value[i]);
  assert.ok(bytes.length < 64 * 1024, `closure of ${bytes.length} bytes`);
  b.destroy();
});

test("two concurrent jobs interleave on the workers", async () => {
  // Each task reports [job, start, end]; with fair sharing neither job runs all its tasks
  // before the other starts.
  const tasks = (job: string) => sc.range(0, 6, 1, 6).map(() => {
    const start = Date.now();
    busy(60);
    return [job, start, Date.now()] as [string, number, number];
  }).collect();
  const [a, b] = await Promise.all([tasks("a"), tasks("b")]);
  const firstStart = (xs: Array<[string, number, number]>) => Math.min(...xs.map((x) => x[1]));
  const lastEnd = (xs: Array<[string, number, number]>) => Math.max(...xs.map((x) => x[2]));
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
  const [taskRoot] = await sc.parallelize([1], 1).map(() => SparkFiles.getRootDirectory()).collect();
  assert.equal(taskRoot, driverRoot);
});

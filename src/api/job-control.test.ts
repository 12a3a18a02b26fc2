/**
 * Job control: groups, tags, cancellation (interrupting running tasks), concurrent jobs,
 * and the status tracker's view of them. On the engine testing/contract-context.ts chooses:
 * on Spark, Spark cancels the jobs and its status tracker answers.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contractContext } from "../testing/contract-context.js";
import { waitUntil } from "../testing/processes.js";
import type { SparkStageInfo } from "./status-tracker.js";

const { sc, engine, localEngineOnly } = contractContext("job-control-test");
after(() => sc.stop());

const busy = (ms: number) => (x: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return x;
};

test("cancelling a group stops a running 30-second task within seconds; the context stays usable", async () => {
  await sc.range(0, 2).count(); // workers up
  sc.setJobGroup("slow", "a job we will cancel", true);
  const started = Date.now();
  const job = sc.parallelize([1, 2], 2).map(busy(30_000)).collect();
  sc.setLocalProperty("spark.jobGroup.id", null);
  sc.setLocalProperty("spark.job.interruptOnCancel", null);
  await new Promise((r) => setTimeout(r, 500));
  const tracker = sc.statusTracker();
  const ids = tracker.getJobIdsForGroup("slow");
  assert.equal(ids.length, 1);
  assert.equal(tracker.getJobInfo(ids[0]!)!.status, "RUNNING");
  assert.ok(tracker.getActiveStageIds().length >= 1);
  sc.cancelJobGroup("slow");
  await assert.rejects(job, (e: Error & { code?: string }) => e.code === "JOB_CANCELLED" && /cancelled job group slow/.test(e.message));
  // The killed workers are replaced; the next job runs at once.
  assert.equal(await sc.parallelize([1, 2, 3], 2).map((x) => x + 1).sum(), 9);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  assert.equal(tracker.getJobInfo(ids[0]!)!.status, "FAILED");
});

test("a cancelled job keeps the cached partitions: its tasks stop at a batch boundary and no worker is replaced", async () => {
  const computed = sc.accumulator(0);
  const cached = sc.range(0, 4000, 1, 4).map((x) => {
    computed.add(1);
    return x;
  }).cache();
  assert.equal(await cached.count(), 4000);
  const pids = sc.workerPids().sort(); // none on Spark, whose executors hold the cached blocks
  sc.setJobGroup("stoppable", "stops at a batch boundary", true);
  // About 0.1 ms a record: each task would run for seconds, a batch takes a fraction of one.
  const job = sc.range(0, 100_000, 1, 2).map((x) => {
    let s = 0;
    for (let i = 0; i < 100_000; i++) s += i % 7;
    return x + s;
  }).count();
  sc.setLocalProperty("spark.jobGroup.id", null);
  sc.setLocalProperty("spark.job.interruptOnCancel", null);
  const tracker = sc.statusTracker();
  while (tracker.getActiveStageIds().length === 0) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 300));
  sc.cancelJobGroup("stoppable");
  await assert.rejects(job, /cancelled job group stoppable/);
  // The tasks end by themselves (the job failed at once), well before they would have.
  const deadline = Date.now() + 10_000;
  while ((engine === "spark" ? tracker.getActiveStageIds().length > 0 : tracker.getExecutorInfos().some((e) => e.activeTasks > 0)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(sc.workerPids().sort(), pids, "no worker was replaced");
  assert.equal(await cached.count(), 4000);
  assert.equal(computed.value, 4000, "the cached partitions were not computed again");
});

test("cancelJobsWithTag and cancelAllJobs", async () => {
  sc.addJobTag("nightly");
  assert.deepEqual([...sc.getJobTags()], ["nightly"]);
  sc.setLocalProperty("spark.job.interruptOnCancel", "true");
  const tagged = sc.parallelize([1], 1).map(busy(30_000)).collect();
  sc.clearJobTags();
  const other = sc.parallelize([2], 1).map(busy(30_000)).collect();
  sc.setLocalProperty("spark.job.interruptOnCancel", null);
  await new Promise((r) => setTimeout(r, 300));
  sc.cancelJobsWithTag("nightly");
  await assert.rejects(tagged, engine === "spark" ? /cancelled on Spark: .*job tags? nightly/ : /cancelled by tag nightly/);
  sc.cancelAllJobs();
  await assert.rejects(other, engine === "spark" ? /cancelled on Spark: .*cancellation of all jobs/ : /cancelAllJobs/);
  assert.equal(await sc.parallelize([1]).count(), 1);
});

test("two concurrent jobs share the workers and both finish", async () => {
  const a = sc.range(0, 8, 1, 8).map(busy(150)).sum();
  const b = sc.range(0, 8, 1, 8).map(busy(150)).count();
  const [sa, cb] = await Promise.all([a, b]);
  assert.equal(sa, 28);
  assert.equal(cb, 8);
});

test("the status tracker describes jobs, stages and executors", async () => {
  sc.setJobDescription("described");
  await sc.parallelize<[number, number]>([[1, 1], [2, 2]], 2).reduceByKey((x, y) => x + y).collect();
  const t = sc.statusTracker();
  const jobId = Math.max(...t.getJobIdsForGroup(undefined));
  // Spark's status store hears of the job's end from its listener bus, a moment after collect returns.
  await waitUntil(() => t.getJobInfo(jobId)?.status !== "RUNNING" && t.getActiveJobIds().length === 0, 10_000);
  const info = t.getJobInfo(jobId)!;
  assert.equal(info.status, "SUCCEEDED");
  assert.equal(info.stageIds.length, 2, "a map stage and a result stage");
  const [mapStage, resultStage] = [...info.stageIds].sort((a, b) => a - b).map((id) => t.getStageInfo(id)!) as [SparkStageInfo, SparkStageInfo];
  assert.equal(mapStage.numTasks, 2);
  assert.equal(mapStage.numCompletedTasks, 2);
  assert.match(mapStage.name, /reduceByKey at job-control\.test\.(ts|js):\d+/);
  assert.match(resultStage.name, /collect at job-control\.test\.(ts|js):\d+/);
  // tspark's engine's worker processes (Spark's executors are Spark's: its web UI shows them).
  const execs = t.getExecutorInfos();
  assert.equal(execs.length, engine === "spark" ? 0 : 2);
  assert.ok(execs.every((e) => e.pid > 0 && e.completedTasks >= 0));
  assert.equal(t.getActiveJobIds().length, 0);
});

test("when a stage fails its job, the job's other stages launch no more tasks; the context stays usable", { skip: localEngineOnly("Spark's FIFO scheduler gives the job's first stage every slot, so the failing stage's retries wait for the other's tasks") }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-sibling-"));
  try {
    const marks = join(dir, "started");
    const failing = sc.parallelize([1], 1).map((x): [number, number] => {
      throw new Error(`boom ${x}`);
    });
    const slow = sc.parallelize(Array.from({ length: 40 }, (_, i) => i), 40).map((x): [number, number] => {
      appendFileSync(marks, "x");
      busy(500)(x);
      return [x, x];
    });
    // A cogroup's two map stages run at once (a join's may not: tspark.join.keyFilter runs `other`'s first).
    await assert.rejects(failing.cogroup(slow).count(), /boom 1/);
    await new Promise((r) => setTimeout(r, 3000)); // what the other stage would launch meanwhile
    const started = existsSync(marks) ? readFileSync(marks, "utf8").length : 0;
    assert.ok(started <= 12, `${started} of the other stage's 40 tasks started`);
    assert.equal(await sc.parallelize([1, 2, 3], 2).sum(), 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

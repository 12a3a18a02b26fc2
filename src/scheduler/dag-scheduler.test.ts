/**
 * The schedulers' logic with an in-memory backend (no worker process): stages retried after
 * FETCH_FAILED with only the lost map outputs recomputed, a map stage shared by concurrent
 * jobs, cancellation, a failed job's other stages stopped, task retries up to maxFailures,
 * barrier stages retried as a whole.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DAGScheduler, RETAINED_JOBS } from "./dag-scheduler.js";
import { TaskScheduler, type StageSpec } from "./task-scheduler.js";
import { MapOutputTracker } from "./map-output-tracker.js";
import { ListenerBus } from "./listener-bus.js";
import type { Lineage } from "./lineage.js";
import type { PartitionPlan } from "./plan.js";
import type { JobProperties } from "./job.js";
import { FakeBackend, succeeded, failed, type FakeTask, type TaskRunner } from "./testing/fake-backend.js";
import { FakeNode } from "./testing/fake-lineage.js";
import type { TsparkError } from "../errors.js";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import { segmentDataPaths } from "../shuffle/shuffle-reader.js";

const PROPS: JobProperties = { group: undefined, description: undefined, tags: [], interruptOnCancel: false, localProperties: {} };

function setup(slots: number, maxFailures: number, run: TaskRunner) {
  const backend = new FakeBackend(slots, run);
  const bus = new ListenerBus();
  const tasks = new TaskScheduler(backend, { maxFailures, maxResultSize: 0, maxResultSizeText: "0" }, {}, bus);
  const mapOutputs = new MapOutputTracker();
  const dag = new DAGScheduler(tasks, mapOutputs, maxFailures, bus);
  const runJob = (rdd: Lineage, props: JobProperties = PROPS) =>
    dag.runJob({ name: "test job", props, rdd, partitions: undefined, countResultSize: false, resultPlan: (p, planner) => rdd.planPartition(p, planner) });
  return { backend, dag, tasks, mapOutputs, runJob };
}

/** The shuffle a map task writes, if it is one. */
function shuffleWritten(task: FakeTask): number | undefined {
  const plan = task.plan;
  if (plan.kind !== "narrow" || plan.steps[0]?.op !== "shuffleWrite") return undefined;
  return (plan.steps[0].args as { shuffleId: number }).shuffleId;
}

/** Map tasks write (empty) output files under `dir`; reduce tasks fail with FETCH_FAILED when one is gone. */
function shuffleRunner(dir: string, mapDelayMs = 0): TaskRunner {
  return async (task) => {
    const shuffleId = shuffleWritten(task);
    if (shuffleId !== undefined) {
      if (mapDelayMs) await new Promise((r) => setTimeout(r, mapDelayMs));
      const dataPath = join(dir, `s${shuffleId}-m${task.partition}.data`);
      const indexPath = join(dir, `s${shuffleId}-m${task.partition}.index`);
      writeFileSync(dataPath, "");
      writeFileSync(indexPath, "");
      const status: MapStatus = { mapId: task.partition, dataPath, indexPath, segmentBytes: new Array<number>(16).fill(1), spills: 0, spillBytes: 0 };
      return succeeded([status]);
    }
    if (task.plan.kind === "shuffle-read") {
      assert.ok(task.plan.segments, "a reduce task carries its segments when it launches");
      const lost = segmentDataPaths(task.plan.segments).find((p) => !existsSync(p));
      if (lost) return failed({ name: "FetchFailed", message: `shuffle output is missing: ${lost}`, code: "FETCH_FAILED" });
    }
    return succeeded([task.partition]);
  };
}

/** Calls `before` with each stage's spec as the task scheduler is given it. */
function beforeEachStage(tasks: TaskScheduler, before: (spec: StageSpec) => void): void {
  const runStage = tasks.runStage.bind(tasks);
  tasks.runStage = (job, spec) => {
    before(spec);
    return runStage(job, spec);
  };
}

/** How each stage ended, in order, from the listener bus. */
function stageResults(tasks: TaskScheduler): string[] {
  const ended: string[] = [];
  tasks.bus.addListener((e) => {
    if (e.event === "stageCompleted") ended.push(e.result);
  });
  return ended;
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tspark-dag-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test("a stage that finds map outputs gone (FETCH_FAILED) runs again after only the lost map tasks are recomputed", async (t) => {
  const dir = tempDir(t);
  const { backend, runJob } = setup(2, 4, shuffleRunner(dir));
  const reduced = FakeNode.shuffled(FakeNode.source(4), 0, 2);

  assert.deepEqual(await runJob(reduced), [[0], [1]]);
  assert.deepEqual(backend.launched.filter((task) => shuffleWritten(task) === 0).map((task) => task.partition).sort(), [0, 1, 2, 3]);

  rmSync(join(dir, "s0-m2.data")); // map output 2 lost (its worker's disk, say)
  const before = backend.launched.length;
  assert.deepEqual(await runJob(reduced), [[0], [1]]);
  const second = backend.launched.slice(before);
  const reduceStages = new Set(second.filter((task) => task.plan.kind === "shuffle-read").map((task) => task.stageId));
  assert.equal(reduceStages.size, 2, "the result stage failed on the lost output, then ran again");
  assert.deepEqual(second.filter((task) => shuffleWritten(task) === 0).map((task) => task.partition), [2], "only the lost map output is recomputed");
});

test("a reduce stage's plans hold no segments: each task gets its own partition's as it launches", async (t) => {
  const dir = tempDir(t);
  const { backend, tasks, mapOutputs, runJob } = setup(2, 4, shuffleRunner(dir));
  const planned: PartitionPlan[] = [];
  beforeEachStage(tasks, (spec) => planned.push(...spec.plans.map((p) => p.plan)));
  const reduced = FakeNode.shuffled(FakeNode.source(3), 0, 2);
  assert.deepEqual(await runJob(reduced), [[0], [1]]);
  const reads = planned.filter((plan) => plan.kind === "shuffle-read");
  assert.equal(reads.length, 2);
  assert.ok(reads.every((plan) => plan.segments === undefined), "planned without segments");
  const launched = backend.launched.flatMap((task) => (task.plan.kind === "shuffle-read" ? [task.plan] : []));
  assert.deepEqual(launched.map((plan) => plan.partition).sort(), [0, 1]);
  for (const plan of launched) {
    assert.deepEqual(plan.segments, mapOutputs.segments(0, plan.partition));
    assert.deepEqual(plan.segments!.stems, ["s0-m0", "s0-m1", "s0-m2"]);
  }
});

test("map outputs lost after a reduce stage was planned: the next task's launch fails the stage with FETCH_FAILED, and the job recomputes them", async (t) => {
  const dir = tempDir(t);
  const run = shuffleRunner(dir);
  let lost = false;
  const env = setup(1, 4, async (task) => {
    const r = await run(task);
    if (task.plan.kind === "shuffle-read" && !lost) {
      // While the first reduce task runs, another job finds map output 1 gone and forgets it.
      lost = true;
      rmSync(join(dir, "s0-m1.data"));
      assert.equal(env.mapOutputs.checkFiles(0), 1);
    }
    return r;
  });
  const reduced = FakeNode.shuffled(FakeNode.source(3), 0, 2);
  assert.deepEqual(await env.runJob(reduced), [[0], [1]]);
  assert.deepEqual(env.backend.launched.filter((task) => shuffleWritten(task) === 0).map((task) => task.partition), [0, 1, 2, 1], "map output 1 is recomputed");
  assert.equal(new Set(env.backend.launched.filter((task) => task.plan.kind === "shuffle-read").map((task) => task.stageId)).size, 2);
});

test("a stage keeps failing FETCH_FAILED: the job fails after maxFailures stage attempts", async (t) => {
  const dir = tempDir(t);
  const run = shuffleRunner(dir);
  // Every map output vanishes as soon as it is written.
  const { backend, runJob } = setup(2, 3, async (task) => {
    const r = await run(task);
    if (r.ok && shuffleWritten(task) !== undefined) rmSync((r.records[0] as MapStatus).dataPath);
    return r;
  });
  const reduced = FakeNode.shuffled(FakeNode.source(2), 0, 1);
  await assert.rejects(runJob(reduced), (err: TsparkError) => err.code === "FETCH_FAILED");
  assert.equal(new Set(backend.launched.filter((task) => task.plan.kind === "shuffle-read").map((task) => task.stageId)).size, 3);
});

test("concurrent jobs needing the same shuffle share its running map stage", async (t) => {
  const dir = tempDir(t);
  const { backend, runJob } = setup(4, 4, shuffleRunner(dir, 20));
  const reduced = FakeNode.shuffled(FakeNode.source(3), 0, 2);
  const [a, b] = await Promise.all([runJob(reduced), runJob(FakeNode.narrow(2, reduced))]);
  assert.deepEqual(a, [[0], [1]]);
  assert.deepEqual(b, [[0], [1]]);
  assert.equal(backend.launched.filter((task) => shuffleWritten(task) === 0).length, 3, "each map task ran once");
});

test("a cancelled job fails with the cancellation; its running tasks are killed and the rest never launch", async () => {
  const { backend, dag, runJob } = setup(2, 4, () => new Promise(() => {})); // tasks run until killed
  const job = runJob(FakeNode.source(6));
  await until(() => backend.launched.length === 2, "two tasks to launch");
  assert.equal(dag.cancelJobs(() => true, "cancelled by the test", true), 1);
  await assert.rejects(job, (err: TsparkError) => err.code === "JOB_CANCELLED" && /Job \d+ cancelled: cancelled by the test/.test(err.message));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(backend.kills.map((k) => k.taskId).sort(), backend.launched.map((task) => task.taskId).sort(), "both running tasks killed");
  assert.ok(backend.kills.every((k) => k.interruptRunning));
  assert.equal(backend.launched.length, 2, "no task launched after the cancellation, none retried");
  assert.equal([...dag.jobs.values()][0]!.status, "FAILED");
});

test("when one side of a join fails, the other side's map stage launches no more tasks", async (t) => {
  const dir = tempDir(t);
  const run = shuffleRunner(dir, 30);
  const { backend, runJob } = setup(2, 2, (task) => (shuffleWritten(task) === 0 ? failed({ name: "TypeError", message: "bad left record" }) : run(task)));
  const left = FakeNode.shuffled(FakeNode.source(1), 0, 2);
  const right = FakeNode.shuffled(FakeNode.source(8), 1, 2);
  await assert.rejects(runJob(FakeNode.narrow(2, left, right)), (err: TsparkError) => err.code === "TASK_FAILED" && /bad left record/.test(err.message));
  const rightLaunched = () => backend.launched.filter((task) => shuffleWritten(task) === 1).length;
  const atFailure = rightLaunched();
  await new Promise((r) => setTimeout(r, 150)); // long enough for the 8 right-side tasks on 2 slots
  assert.equal(rightLaunched(), atFailure, "no right-side task launched after the job failed");
  assert.ok(atFailure < 8, `the right side stopped early (${atFailure} of 8 launched)`);
});

test("a failing task is retried up to maxFailures, then the job fails with the user's error", async () => {
  const { backend, runJob } = setup(2, 3, (task) => (task.partition === 1 ? failed({ name: "RangeError", message: "bad record 7" }) : succeeded([task.partition])));
  await assert.rejects(runJob(FakeNode.source(2)), (err: TsparkError) => {
    assert.equal(err.code, "TASK_FAILED");
    assert.match(err.message, /task for partition 1 of stage \d+ failed 3 times; most recent failure \(attempt 2\):\n {2}RangeError: bad record 7/);
    assert.ok(err.cause instanceof Error);
    assert.equal(err.cause.name, "RangeError");
    assert.equal(err.cause.message, "bad record 7");
    return true;
  });
  assert.deepEqual(backend.launched.filter((task) => task.partition === 1).map((task) => task.attempt), [0, 1, 2]);
});

test("a task failing fewer than maxFailures times succeeds on a later attempt", async () => {
  const { backend, runJob } = setup(1, 3, (task) => (task.attempt < 2 ? failed({ message: "flaky" }) : succeeded([task.partition])));
  assert.deepEqual(await runJob(FakeNode.source(1)), [[0]]);
  assert.deepEqual(backend.launched.map((task) => task.attempt), [0, 1, 2]);
});

test("a barrier stage: one failed task kills the others and the whole stage runs again", async () => {
  const { backend, runJob } = setup(2, 3, (task) => {
    if (task.attempt > 0) return succeeded([task.partition]);
    return task.partition === 0 ? failed({ message: "barrier task failed" }) : new Promise(() => {}); // the other waits at the barrier
  });
  assert.deepEqual(await runJob(FakeNode.source(2, true)), [[0], [1]]);
  const firstAttempt = backend.launched.filter((task) => task.attempt === 0);
  assert.equal(firstAttempt.length, 2, "both tasks launched together");
  const waiting = firstAttempt.find((task) => task.partition === 1)!;
  assert.ok(backend.kills.some((k) => k.taskId === waiting.taskId), "the task waiting at the barrier was killed");
  assert.deepEqual(backend.launched.filter((task) => task.attempt === 1).map((task) => task.partition).sort(), [0, 1], "the whole stage ran again");
});

test("a barrier stage whose shuffle lost map outputs before it launched ends FAILED, and the job recomputes them", async (t) => {
  const dir = tempDir(t);
  const { backend, tasks, mapOutputs, runJob } = setup(2, 4, shuffleRunner(dir));
  let lost = false;
  beforeEachStage(tasks, (spec) => {
    if (spec.barrier && !lost) {
      // Between the map stage and the barrier stage's launch, another job finds map output 0 gone.
      lost = true;
      rmSync(join(dir, "s0-m0.data"));
      mapOutputs.checkFiles(0);
    }
  });
  const ended = stageResults(tasks);
  assert.deepEqual(await runJob(FakeNode.shuffled(FakeNode.source(2), 0, 2, true)), [[0], [1]]);
  assert.deepEqual(ended, ["COMPLETE", "FAILED", "COMPLETE", "COMPLETE"], "map stage, barrier stage failed at launch, map output recomputed, barrier stage");
  assert.deepEqual(backend.launched.filter((task) => shuffleWritten(task) === 0).map((task) => task.partition), [0, 1, 0]);
});

test("a join side filtered by keys, whose build side another job computes again as this job's stage runs: the next launch fails the stage, and the job checks the filter first", async (t) => {
  const dir = tempDir(t);
  const run = shuffleRunner(dir);
  const { tasks, mapOutputs, runJob } = setup(1, 4, async (task) => {
    const r = await run(task);
    const args = task.plan.kind === "narrow" ? (task.plan.steps[0]?.args as { collectKeyHashes?: number } | undefined) : undefined;
    // The build side's map tasks report their keys' hashes (one key each, here).
    if (r.ok && args?.collectKeyHashes !== undefined) (r.records[0] as MapStatus).keyHashes = Int32Array.of(task.partition);
    return r;
  });
  const build = FakeNode.shuffled(FakeNode.source(2), 0, 2);
  const probe = FakeNode.shuffled(FakeNode.source(2), 1, 2, false, build);
  const joined = FakeNode.narrow(2, probe, build);
  assert.deepEqual(await runJob(joined), [[0], [1]]);
  assert.ok(mapOutputs.statuses(1)!.every((s) => s.keyFilter !== undefined), "the probe side was written through the build side's filter");

  let recomputed = false;
  beforeEachStage(tasks, (spec) => {
    if (spec.shuffleId === undefined && !recomputed) {
      // As this job's result stage starts, another job computes build output 0 again: its key hashes are not checked yet.
      recomputed = true;
      const again = mapOutputs.statuses(0)!.find((s) => s.mapId === 0)!;
      mapOutputs.register(0, [{ ...again, keyHashes: Int32Array.of(0) }], 2);
    }
  });
  const ended = stageResults(tasks);
  assert.deepEqual(await runJob(joined), [[0], [1]]);
  assert.deepEqual(ended, ["FAILED", "COMPLETE"], "the result stage failed at its first launch, then ran once the probe side was checked");
  assert.ok(mapOutputs.statuses(0)!.every((s) => s.keyHashes === undefined), "the check used the new output's hashes");
});

test("over any number of jobs the job and stage tables stay bounded: the oldest finished ones go", async () => {
  const { dag, tasks, runJob } = setup(2, 1, (task) => succeeded([task.partition]));
  const node = FakeNode.source(1);
  for (let i = 0; i < RETAINED_JOBS + 50; i++) await runJob(node);
  assert.equal(dag.jobs.size, RETAINED_JOBS);
  assert.equal(Math.min(...dag.jobs.keys()), 50, "the oldest went first");
  assert.ok(tasks.stages.size <= RETAINED_JOBS, `${tasks.stages.size} stages kept`);
});

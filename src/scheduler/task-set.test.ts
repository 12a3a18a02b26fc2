/**
 * Speculative execution with an in-memory backend: a straggler gets a copy once enough of its
 * stage finished, the first copy to succeed gives the result and the other is killed (and
 * reported killed, so its additions are not counted twice); no copy before the quantile, none
 * with speculation off, and a copy that fails leaves the original to carry the partition.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { TaskScheduler, type SchedulerLimits } from "./task-scheduler.js";
import { ListenerBus, type TsparkEvent } from "./listener-bus.js";
import type { JobState } from "./job.js";
import type { TaskResult } from "../backend/backend.js";
import { FakeBackend, succeeded, failed, type TaskRunner } from "./testing/fake-backend.js";
import type { SpeculationSettings } from "../config/settings.js";

const FAST: SpeculationSettings = { intervalMs: 10, multiplier: 1.5, quantile: 0.75, minTaskRuntimeMs: 50 };

function job(): JobState {
  return {
    jobId: 0, name: "test", status: "RUNNING", stageIds: [], runningTasks: new Set(), submissionTime: Date.now(), completionTime: undefined, error: undefined,
    props: { group: undefined, description: undefined, tags: [], interruptOnCancel: false, localProperties: {} },
    cancelled: undefined, cancelSignal: new Promise<never>(() => {}), cancel: () => {}, releaseSignal: () => {},
  };
}

function setup(slots: number, run: TaskRunner, speculation: SpeculationSettings | undefined, limits: Partial<SchedulerLimits> = {}) {
  const backend = new FakeBackend(slots, run);
  const bus = new ListenerBus();
  const events: TsparkEvent[] = [];
  bus.addListener((e) => events.push(e));
  const ended: TaskResult[] = [];
  const scheduler = new TaskScheduler(backend, { maxFailures: 4, maxResultSize: 0, maxResultSizeText: "0", speculation, ...limits }, { taskEnded: (r) => ended.push(r) }, bus);
  const runStage = (partitions: number) =>
    scheduler.runStage(job(), { name: "stage", plans: Array.from({ length: partitions }, (_, partition) => ({ partition, plan: { kind: "range", start: 0, end: 1, step: 1 } })), closureBytes: new Map(), classes: [], serializers: [], countResultSize: false });
  return { backend, events, ended, runStage };
}

const never = new Promise<TaskResult>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a straggler gets a speculative copy on an idle slot; the copy's result counts and the original is killed", async () => {
  const { backend, events, ended, runStage } = setup(2, (t) => (t.partition === 3 && t.attempt === 0 ? never : sleep(20).then(() => succeeded([`p${t.partition} a${t.attempt}`]))), FAST);
  const out = await runStage(4);
  assert.deepEqual(out, [["p0 a0"], ["p1 a0"], ["p2 a0"], ["p3 a1"]]);
  const original = backend.launched.find((t) => t.partition === 3 && t.attempt === 0)!;
  await sleep(20);
  assert.ok(backend.kills.some((k) => k.taskId === original.taskId && k.interruptRunning), "the original was killed");
  const starts = events.filter((e): e is Extract<TsparkEvent, { event: "taskStart" }> => e.event === "taskStart");
  assert.deepEqual(starts.filter((e) => e.speculative).map((e) => [e.partition, e.attempt]), [[3, 1]]);
  const originalEnd = events.find((e) => e.event === "taskEnd" && e.taskId === original.taskId) as Extract<TsparkEvent, { event: "taskEnd" }>;
  assert.equal(originalEnd.status, "KILLED");
  assert.equal(ended.filter((r) => r.ok).length, 4, "one success counted per partition");
});

test("without tspark.speculation the straggler holds the stage", async () => {
  const { runStage } = setup(2, (t) => (t.partition === 3 && t.attempt === 0 ? never : succeeded([t.partition])), undefined);
  const outcome = await Promise.race([runStage(4).then(() => "done"), sleep(300).then(() => "waiting")]);
  assert.equal(outcome, "waiting");
});

test("a copy that finishes second is reported killed and its result is not used", async () => {
  // The original succeeds too, after the copy: as a task that ignores its kill until its end.
  const slow = (t: { attempt: number }) => sleep(t.attempt === 0 ? 400 : 10);
  const backend = new FakeBackend(2, async (t) => {
    if (t.partition === 1) await slow(t);
    return succeeded([`p${t.partition} a${t.attempt}`]);
  });
  backend.killTask = (taskId: number, interruptRunning = true) => void backend.kills.push({ taskId, interruptRunning });
  const bus = new ListenerBus();
  const events: TsparkEvent[] = [];
  bus.addListener((e) => events.push(e));
  const ended: TaskResult[] = [];
  const scheduler = new TaskScheduler(backend, { maxFailures: 4, maxResultSize: 0, maxResultSizeText: "0", speculation: { ...FAST, quantile: 0.5 } }, { taskEnded: (r) => ended.push(r) }, bus);
  const out = await scheduler.runStage(job(), { name: "s", plans: [0, 1].map((partition) => ({ partition, plan: { kind: "range", start: 0, end: 1, step: 1 } as const })), closureBytes: new Map(), classes: [], serializers: [], countResultSize: false });
  assert.deepEqual(out, [["p0 a0"], ["p1 a1"]]);
  await sleep(450);
  assert.equal(ended.length, 3);
  assert.equal(ended.filter((r) => r.ok).length, 2, "the late original is not a second success");
  const last = events.filter((e) => e.event === "taskEnd").at(-1) as Extract<TsparkEvent, { event: "taskEnd" }>;
  assert.deepEqual([last.partition, last.attempt, last.status], [1, 0, "KILLED"]);
});

test("no copy before the quantile of the stage has finished", async () => {
  // 4 tasks, quantile 0.75: three must finish first; here only one does before the others end.
  const { backend, runStage } = setup(4, (t) => sleep(t.partition === 0 ? 5 : 200).then(() => succeeded([t.partition])), FAST);
  await runStage(4);
  assert.equal(backend.launched.length, 4, "no speculative copies");
});

test("a copy that fails leaves the original running to give the partition's result", async () => {
  const { backend, runStage } = setup(2, async (t) => {
    if (t.partition === 1 && t.attempt === 0) return sleep(300).then(() => succeeded(["original"]));
    if (t.partition === 1 && t.attempt === 1) return failed({ message: "copy failed" });
    if (t.partition === 1) return never; // later copies: still running when the original ends
    return succeeded([t.partition]);
  }, { ...FAST, quantile: 0.5 });
  const out = await runStage(2);
  assert.deepEqual(out, [[0], ["original"]]);
  assert.ok(backend.launched.some((t) => t.partition === 1 && t.attempt === 1), "a copy ran and failed");
});

test("a partition failing maxFailures times fails the stage with its last error, speculation on or off", async () => {
  for (const speculation of [undefined, FAST]) {
    const { runStage } = setup(2, (t) => (t.partition === 1 ? failed({ message: `boom ${t.attempt}` }) : succeeded([0])), speculation);
    await assert.rejects(runStage(2), /partition 1 of stage \d+ failed 4 times; most recent failure \(attempt 3\)[\s\S]*boom 3/);
  }
});

test("a partition out of attempts fails the stage at once: its running siblings are killed, not awaited to their end", { timeout: 10_000 }, async () => {
  const { backend, runStage } = setup(2, (t) => (t.partition === 0 ? never : failed({ message: `boom ${t.attempt}` })), undefined);
  await assert.rejects(runStage(2), /partition 1 of stage \d+ failed 4 times/);
  const sibling = backend.launched.find((t) => t.partition === 0)!;
  assert.ok(backend.kills.some((k) => k.taskId === sibling.taskId && k.interruptRunning), "the running sibling was killed");
});

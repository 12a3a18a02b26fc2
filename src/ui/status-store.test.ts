/**
 * The status store: event sequences in, the state the pages show out; and the event log
 * read back, including a log cut off mid-line (a crashed driver).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppStatusStore } from "./status-store.js";
import { EventLogWriter, eventLogPaths, replayEventLog } from "./event-log.js";
import type { TsparkEvent, TaskEndMetrics } from "../scheduler/listener-bus.js";

const metrics = (over: Partial<TaskEndMetrics> = {}): TaskEndMetrics => ({
  durationMs: 10, recordsIn: 5, bytesIn: 100, recordsOut: 5, resultBytes: 50, shuffleReadBytes: 0, shuffleWriteBytes: 30,
  spills: 0, spillBytes: 0, peakRssBytes: 1000, broadcastBytesRead: 0, ...over,
});

/** One application: a job of one stage with two tasks, one retried after a user error; a cached block. */
function sampleEvents(): TsparkEvent[] {
  return [
    { event: "applicationStart", time: 1000, appId: "local-1", appName: "app <x>", user: "me", master: "local[2]", version: "0.1.0" },
    { event: "environmentUpdate", time: 1000, runtime: [["Node.js version", "v20"]], config: [["tspark.master", "local[2]"]] },
    { event: "executorAdded", time: 1001, executorId: "0", pid: 11 },
    { event: "executorAdded", time: 1001, executorId: "1", pid: 12 },
    { event: "jobStart", time: 1010, jobId: 0, name: "count at a.ts:3", description: "counting", group: undefined },
    { event: "rddPersisted", time: 1010, rddId: 4, name: "words", numPartitions: 2, storageLevel: "Memory Deserialized 1x Replicated" },
    { event: "stageSubmitted", time: 1011, stageId: 0, jobId: 0, name: "count at a.ts:3", numTasks: 2 },
    { event: "taskStart", time: 1012, taskId: 0, stageId: 0, partition: 0, attempt: 0, executorId: "0" },
    { event: "taskStart", time: 1012, taskId: 1, stageId: 0, partition: 1, attempt: 0, executorId: "1" },
    { event: "taskEnd", time: 1020, taskId: 0, stageId: 0, partition: 0, attempt: 0, executorId: "0", status: "SUCCESS", metrics: metrics(), error: undefined },
    { event: "blockUpdated", time: 1020, executorId: "0", blockId: "rdd_4_0", memory: true, disk: false, bytes: 700 },
    { event: "taskEnd", time: 1021, taskId: 1, stageId: 0, partition: 1, attempt: 0, executorId: "1", status: "FAILED", metrics: metrics({ recordsOut: 0 }), error: "Error: bad <record>\n    at a.ts:4" },
    { event: "taskStart", time: 1022, taskId: 2, stageId: 0, partition: 1, attempt: 1, executorId: "1" },
  ];
}

function storeOf(events: TsparkEvent[]): AppStatusStore {
  const s = new AppStatusStore();
  for (const e of events) s.apply(e);
  return s;
}

test("a running stage: counts of active, completed and failed tasks, per stage and per executor", () => {
  const s = storeOf(sampleEvents());
  assert.equal(s.app?.appName, "app <x>");
  const job = s.jobs.get(0)!;
  assert.equal(job.status, "RUNNING");
  assert.deepEqual(job.stageIds, [0]);
  assert.equal(s.jobs.get(0)?.status, "RUNNING");
  const st = s.stages.get(0)!;
  assert.deepEqual([st.activeTasks, st.completedTasks, st.failedTasks], [1, 1, 1]);
  assert.equal(st.tasks.get(1)!.error, "Error: bad <record>\n    at a.ts:4");
  assert.equal(st.tasks.get(2)!.status, "RUNNING");
  assert.deepEqual(st.totals, { recordsIn: 5, bytesIn: 100, recordsOut: 5, resultBytes: 50, shuffleReadBytes: 0, shuffleWriteBytes: 30, spillBytes: 0, durationMs: 10 }, "successful attempts only");
  const [x0, x1] = [s.executors.get("0")!, s.executors.get("1")!];
  assert.deepEqual([x0.activeTasks, x0.completedTasks, x0.failedTasks, x0.peakRssBytes], [0, 1, 0, 1000]);
  assert.deepEqual([x1.activeTasks, x1.completedTasks, x1.failedTasks], [1, 0, 1]);
  assert.deepEqual(s.blocks.storageInfo(), [{ rddId: 4, cachedPartitions: 1, memoryBytes: 700, diskBytes: 0 }]);
});

test("the end of the sequence: the retry succeeds, the job ends, an executor dies, the RDD is unpersisted", () => {
  const s = storeOf([
    ...sampleEvents(),
    { event: "taskEnd", time: 1030, taskId: 2, stageId: 0, partition: 1, attempt: 1, executorId: "1", status: "SUCCESS", metrics: metrics(), error: undefined },
    { event: "stageCompleted", time: 1031, stageId: 0, result: "COMPLETE", failureReason: undefined },
    { event: "jobEnd", time: 1032, jobId: 0, result: "SUCCEEDED", error: undefined },
  ]);
  assert.equal(s.jobs.get(0)!.status, "SUCCEEDED");
  assert.equal(s.jobs.get(0)!.completionTime, 1032);
  const st = s.stages.get(0)!;
  assert.equal(st.status, "COMPLETE");
  assert.deepEqual([st.activeTasks, st.completedTasks, st.failedTasks], [0, 2, 1]);
  assert.equal(st.totals.recordsIn, 10);
  assert.ok([...s.jobs.values()].every((j) => j.status !== "RUNNING"));

  s.apply({ event: "executorRemoved", time: 1040, executorId: "0", reason: "killed by SIGKILL" });
  assert.equal(s.executors.get("0")!.removeReason, "killed by SIGKILL");
  assert.deepEqual(s.blocks.storageInfo(), [], "the dead worker's memory blocks are gone");
  s.apply({ event: "blockUpdated", time: 1041, executorId: "1", blockId: "rdd_4_1", memory: false, disk: true, bytes: 300 });
  assert.deepEqual(s.blocks.storageInfo(), [{ rddId: 4, cachedPartitions: 1, memoryBytes: 0, diskBytes: 300 }]);
  s.apply({ event: "rddUnpersisted", time: 1042, rddId: 4 });
  assert.equal(s.rdds.size, 0);
  assert.deepEqual(s.blocks.storageInfo(), []);
});

test("a killed task counts as killed, not failed; a failed stage keeps its reason", () => {
  const s = storeOf([
    ...sampleEvents(),
    { event: "taskEnd", time: 1030, taskId: 2, stageId: 0, partition: 1, attempt: 1, executorId: "1", status: "KILLED", metrics: undefined, error: "task killed" },
    { event: "stageCompleted", time: 1031, stageId: 0, result: "FAILED", failureReason: "Job 0 cancelled" },
    { event: "jobEnd", time: 1032, jobId: 0, result: "FAILED", error: "Job 0 cancelled" },
  ]);
  const st = s.stages.get(0)!;
  assert.deepEqual([st.activeTasks, st.completedTasks, st.failedTasks, st.killedTasks], [0, 1, 1, 1]);
  assert.equal(st.failureReason, "Job 0 cancelled");
  assert.equal(s.jobs.get(0)!.error, "Job 0 cancelled");
});

test("the event log writes JSON lines that replay to the same state", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-eventlog-test-"));
  try {
    const w = new EventLogWriter(join(dir, "logs"), "local-1");
    for (const e of sampleEvents()) w.listener(e);
    await new Promise((r) => setImmediate(r)); // written once per tick
    const lines = readFileSync(w.path, "utf8").trim().split("\n");
    assert.equal(lines.length, sampleEvents().length);
    assert.deepEqual(JSON.parse(lines[0]!), sampleEvents()[0]);
    w.listener({ event: "applicationEnd", time: 2000 });
    w.close();
    w.close();
    const second = new EventLogWriter(join(dir, "logs"), "local-1");
    second.close();
    assert.equal(second.path, join(dir, "logs", "local-1-2"), "never appends to an existing log");
    assert.equal(readFileSync(w.path, "utf8").trim().split("\n").length, sampleEvents().length + 1);
    writeFileSync(join(dir, "file"), "");
    assert.throws(() => new EventLogWriter(join(dir, "file", "logs"), "local-1"), /cannot create the event log directory/);

    assert.deepEqual(eventLogPaths(join(dir, "logs")).sort(), [w.path, second.path].sort(), "a directory: every log in it");
    const r = replayEventLog(eventLogPaths(w.path)[0]!);
    assert.equal(r.incomplete, false);
    assert.equal(r.events, sampleEvents().length + 1);
    assert.deepEqual(r.store.stages.get(0), storeOf(sampleEvents()).stages.get(0));
    assert.equal(r.store.app!.endTime, 2000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a log cut off mid-line (a killed driver) replays up to its last whole event", () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-eventlog-test-"));
  try {
    const path = join(dir, "local-1");
    const text = sampleEvents().map((e) => JSON.stringify(e)).join("\n");
    writeFileSync(path, text.slice(0, text.length - 20));
    const r = replayEventLog(path);
    assert.equal(r.incomplete, true);
    assert.equal(r.badLines, 1);
    assert.equal(r.events, sampleEvents().length - 1);
    assert.equal(r.store.stages.get(0)!.failedTasks, 1);
    writeFileSync(path, "not a log\n");
    assert.throws(() => replayEventLog(path), /is not a tspark event log/);
    assert.throws(() => eventLogPaths(join(dir, "missing")), /no event log at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a long application keeps the newest jobs and stages, and every running one", () => {
  const s = new AppStatusStore(3);
  s.apply({ event: "jobStart", time: 1, jobId: 0, name: "long", description: undefined, group: undefined });
  s.apply({ event: "stageSubmitted", time: 1, stageId: 0, jobId: 0, name: "long", numTasks: 1 });
  for (let j = 1; j <= 5; j++) {
    s.apply({ event: "jobStart", time: 1, jobId: j, name: `job ${j}`, description: undefined, group: undefined });
    s.apply({ event: "stageSubmitted", time: 1, stageId: j, jobId: j, name: `job ${j}`, numTasks: 1 });
    s.apply({ event: "stageCompleted", time: 2, stageId: j, result: "COMPLETE", failureReason: undefined });
    s.apply({ event: "jobEnd", time: 2, jobId: j, result: "SUCCEEDED", error: undefined });
  }
  assert.deepEqual([...s.jobs.keys()], [0, 4, 5]);
  assert.deepEqual([...s.stages.keys()], [0, 4, 5]);
});

test("a stage keeps its newest task rows (running ones always); its counts and totals cover every task", () => {
  const s = new AppStatusStore(1000, 4);
  s.apply({ event: "jobStart", time: 1, jobId: 0, name: "big", description: undefined, group: undefined });
  s.apply({ event: "stageSubmitted", time: 1, stageId: 0, jobId: 0, name: "big", numTasks: 10 });
  s.apply({ event: "taskStart", time: 1, taskId: 0, stageId: 0, partition: 0, attempt: 0, executorId: "0" }); // runs throughout
  for (let t = 1; t < 10; t++) {
    s.apply({ event: "taskStart", time: 2, taskId: t, stageId: 0, partition: t, attempt: 0, executorId: "1" });
    s.apply({ event: "taskEnd", time: 3, taskId: t, stageId: 0, partition: t, attempt: 0, executorId: "1", status: "SUCCESS", metrics: metrics({ recordsOut: 1 }), error: undefined });
  }
  const stage = s.stages.get(0)!;
  assert.deepEqual([...stage.tasks.keys()], [0, 7, 8, 9]);
  assert.equal(stage.droppedTasks, 6);
  assert.equal(stage.completedTasks, 9);
  assert.equal(stage.activeTasks, 1);
  assert.equal(stage.totals.recordsOut, 9);
});

test("an event log whose writes fail (a full disk) gives up with a warning instead of killing the driver; it is private to its owner", () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-evlog-fail-"));
  try {
    const w = new EventLogWriter(join(dir, "logs"), "local-9");
    assert.equal(statSync(w.path).mode & 0o777, 0o600);
    w.listener({ event: "applicationEnd", time: 1 } as TsparkEvent);
    w.flush();
    // The file descriptor goes bad under the writer (as a write failing with ENOSPC would).
    closeSync((w as unknown as { fd: number }).fd);
    w.listener({ event: "applicationEnd", time: 2 } as TsparkEvent);
    assert.doesNotThrow(() => w.flush());
    w.listener({ event: "applicationEnd", time: 3 } as TsparkEvent);
    assert.doesNotThrow(() => w.close());
    assert.equal(readFileSync(w.path, "utf8").trim().split("\n").length, 1, "what was written before the failure stays");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

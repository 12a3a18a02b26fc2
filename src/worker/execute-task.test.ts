/**
 * executeTask runs a task from its plan in this process: no worker process, no transport,
 * only a task description and a worker runtime.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executeTask, failRunningTask } from "./execute-task.js";
import { createWorkerRuntime } from "./worker-runtime.js";
import { captureClosure } from "../closure/capture.js";
import { readShuffleBlocks, segmentsOf } from "../shuffle/shuffle-reader.js";
import { standaloneResources } from "../shuffle/task-resources.js";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import type { PartitionPlan, Step, TaskDescription } from "../scheduler/plan.js";
import type { BarrierRequest } from "./barrier-client.js";
import { BarrierTaskContext } from "../index.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-execute-task-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const settings = { localDir: dir, workerMemoryBytes: 64 * 1024 * 1024, storageMemoryBytes: 64 * 1024 * 1024 };
const runtime = createWorkerRuntime(settings);

let nextTaskId = 0;
/** A task over `data` applying `steps`, carrying the bytes of the functions it names. */
function taskOf(data: unknown[], steps: Step[], fns: Function[] = []): TaskDescription {
  const closures = fns.map((f) => captureClosure(f)).map((c): [string, Uint8Array] => [c.id, c.bytes]);
  const ids = closures.map(([id]) => id);
  const plan: PartitionPlan = { kind: "narrow", parent: { kind: "parallelize", data: v8.serialize(data) }, partitionIndex: 0, steps: steps.map((s) => ({ ...s, fns: s.fns?.map((i) => ids[Number(i)]!) })) };
  return { taskId: nextTaskId++, jobId: 0, stageId: 0, partition: 0, attempt: 0, plan, closures, localProperties: {} };
}

test("a map then a count: the count, and what the task read", async () => {
  const out = await executeTask(taskOf([1, 2, 3, 4, 5], [{ op: "map", fns: ["0"] }, { op: "count" }], [(x: number) => x * 2]), runtime);
  assert.equal(out.type, "result");
  if (out.type !== "result") return;
  assert.deepEqual(out.records, [5]);
  assert.equal(out.metrics.recordsIn, 5);
  assert.equal(out.metrics.recordsOut, 1);
  assert.deepEqual(out.accumulators, []);
});

test("a shuffle write: its map status, whose segments hold the records", async () => {
  const pairs = Array.from({ length: 100 }, (_, i) => [i % 7, i]);
  const out = await executeTask(taskOf(pairs, [{ op: "shuffleWrite", args: { shuffleId: 3, numPartitions: 2, partitioner: { kind: "hash" } } }]), runtime);
  assert.equal(out.type, "result");
  if (out.type !== "result") return;
  const [status] = out.records as [MapStatus];
  assert.ok(existsSync(status.dataPath) && status.dataPath.startsWith(join(dir, "shuffle-3")));
  assert.equal(out.metrics.shuffleWriteBytes, status.segmentBytes.reduce((a, b) => a + b, 0));
  const read = [0, 1].flatMap((p) => [...readShuffleBlocks(segmentsOf([status], p), standaloneResources(dir, 0).metrics)].flat());
  assert.equal(read.length, 100);
});

test("a function that throws: a failure carrying its error, and the next task runs", async () => {
  const out = await executeTask(taskOf([1], [{ op: "map", fns: ["0"] }], [() => { throw new RangeError("no such record"); }]), runtime);
  assert.equal(out.type, "failure");
  if (out.type !== "failure") return;
  assert.equal(out.error.name, "RangeError", out.error.message);
  assert.equal(out.error.message, "no such record");
  const next = await executeTask(taskOf([1, 2], [{ op: "count" }]), runtime);
  assert.deepEqual(next.type === "result" && next.records, [2]);
});

test("a closure the runtime never received fails the task, naming it", async () => {
  const task = taskOf([1], [{ op: "map", fns: ["0"] }], [(x: number) => x]);
  const out = await executeTask({ ...task, closures: [], plan: { ...task.plan, steps: [{ op: "map", fns: ["feed"] }] } as PartitionPlan }, runtime);
  assert.equal(out.type === "failure" && out.error.message, "closure feed was never sent to this worker");
});

test("a failure that escapes the task's promise chain (reported by the process's handlers) fails the task at once", async () => {
  const task = taskOf([1], [{ op: "map", fns: ["0"] }], [async () => new Promise(() => {})]);
  setTimeout(() => failRunningTask(new Error("thrown in a timer")), 50);
  const out = await executeTask(task, runtime);
  assert.equal(out.type === "failure" && out.error.message, "thrown in a timer");
  assert.equal(failRunningTask(new Error("later")), false, "no task is running any more");
});

test("a barrier task's requests go out on the channel the runtime was given; the replies come back to it", async () => {
  const sent: BarrierRequest[] = [];
  const barrierRuntime = createWorkerRuntime(settings, (request) => {
    sent.push(request);
    setImmediate(() => barrierRuntime.barrier.deliverReply(request.requestId, ["from 0", "from 1"], undefined));
  });
  const gather = async function* () {
    yield await BarrierTaskContext.get()!.allGather("from 0");
  };
  const task = { ...taskOf([1], [{ op: "mapPartitions", fns: ["0"], args: { withIndex: false } }], [gather]), barrier: { numTasks: 2, stageAttempt: 0 } };
  const out = await executeTask(task, barrierRuntime);
  assert.deepEqual(out.type === "result" && out.records, [["from 0", "from 1"]]);
  assert.deepEqual(sent.map((r) => [r.type, r.numTasks, r.message]), [["barrier", 2, "from 0"]]);
});

test("a transport's own input and output: records stream in from the executor and out to deliver, none in the outcome", async () => {
  const [c] = [captureClosure((x: number) => x * 10)];
  const task: TaskDescription = {
    taskId: nextTaskId++, jobId: 0, stageId: 0, partition: 0, attempt: 0, localProperties: {}, closures: [[c!.id, c!.bytes]],
    plan: { kind: "narrow", parent: { kind: "executor-input" }, partitionIndex: 0, steps: [{ op: "map", fns: [c!.id] }] },
  };
  const input = (async function* () {
    yield [1, 2];
    yield [3];
  })();
  const delivered: unknown[] = [];
  const out = await executeTask(task, runtime, {
    input: () => input,
    deliver: async (records) => {
      for await (const batch of records) delivered.push(...batch);
      return delivered.length;
    },
  });
  assert.equal(out.type, "result");
  if (out.type !== "result") return;
  assert.deepEqual(delivered, [10, 20, 30]);
  assert.deepEqual(out.records, []);
  assert.equal(out.metrics.recordsOut, 3);

  const noInput = await executeTask({ ...task, taskId: nextTaskId++ }, runtime);
  assert.equal(noInput.type, "failure");
  if (noInput.type === "failure") assert.match(noInput.error.message, /reads its executor's input, but its transport gave it none/);
});

test("a plan thousands of nodes deep (chained joins) is built and read without exhausting the stack", async () => {
  const add = captureClosure(([a, b]: [number, number]) => a + b);
  const pairs = (v: number): PartitionPlan => ({ kind: "parallelize", data: v8.serialize([[1, v], [2, v]]) });
  let plan = pairs(0);
  for (let i = 1; i <= 3000; i++) plan = { kind: "narrow", parent: { kind: "hash-join", left: plan, right: pairs(i), how: "inner" }, partitionIndex: 0, steps: [{ op: "mapValues", fns: [add.id] }] };
  const task: TaskDescription = { taskId: nextTaskId++, jobId: 0, stageId: 0, partition: 0, attempt: 0, plan, closures: [[add.id, add.bytes]], localProperties: {} };
  const out = await executeTask(task, runtime);
  assert.equal(out.type, "result", out.type === "failure" ? out.error.message : undefined);
  if (out.type !== "result") return;
  assert.deepEqual(out.records, [[1, 4_501_500], [2, 4_501_500]]);
});

test("a stack overflow in a task of a long lineage says to checkpoint", async () => {
  // Thousands of cached RDDs computed in one task: their streams still nest a generator each.
  const inc = captureClosure((x: number) => x + 1);
  let plan: PartitionPlan = { kind: "parallelize", data: v8.serialize([1, 2, 3]) };
  for (let i = 1; i <= 20_000; i++) plan = { kind: "cached", blockId: `rdd_${100_000 + i}_0`, level: { useMemory: true, useDisk: false }, compute: { kind: "narrow", parent: plan, partitionIndex: 0, steps: [{ op: "map", fns: [inc.id] }] } };
  const out = await executeTask({ taskId: nextTaskId++, jobId: 0, stageId: 0, partition: 0, attempt: 0, plan, closures: [[inc.id, inc.bytes]], localProperties: {} }, runtime);
  assert.equal(out.type, "failure");
  if (out.type !== "failure") return;
  assert.equal(out.error.name, "RangeError", out.error.message);
  assert.match(out.error.message, /Maximum call stack size exceeded: the task computes a lineage of over 1000 steps at once\. Cut the lineage with a checkpoint: sc\.setCheckpointDir\(dir\) once, then rdd\.checkpoint\(\)/);
});

/**
 * Runs one task from its plan and returns its outcome. Everything it uses from outside the
 * task comes in explicitly: the task description, and the worker runtime (block store,
 * broadcast values, closures, barrier channel, settings) its process keeps across tasks.
 * It knows no transport: the local pool's fd-3 loop (transport/worker-loop.ts) and any
 * other channel decode a task, call this, and encode the outcome.
 */
import { planNodes, type PartitionPlan, type TaskDescription } from "../scheduler/plan.js";
import { collectStream, type BatchStream } from "./batch-stream.js";
import { buildStream } from "./task-runner.js";
import type { InterruptCheck } from "./task-interrupts.js";
import { TaskScope, setRunningTaskScope, runningTaskScope, type RunningTask, type ExecutorInput } from "./task-context.js";
import { THROWN_VALUE, type SerializedError, type TaskMetrics, type TaskOutcome } from "./task-outcome.js";
import type { WorkerRuntime } from "./worker-runtime.js";
import { profileFileName, profiled } from "./task-profiler.js";

/** A thrown value as plain data: an Error's fields; anything else, described. */
function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack, code: (err as { code?: unknown }).code as string | undefined };
  }
  return { name: "Error", message: `a non-Error value was thrown: ${String(err)}`, stack: undefined, code: THROWN_VALUE };
}

/** Plan nodes past which a task's stack overflow is put down to the length of its lineage. */
const LONG_PLAN = 1000;

/**
 * A stack overflow in a task whose plan is long: what to do about it. Some operators still
 * nest a call per RDD of a lineage (a chain of cached or zipped RDDs read in one task).
 */
function explained(err: unknown, plan: PartitionPlan): unknown {
  if (!(err instanceof RangeError) || !err.message.includes("call stack")) return err;
  let nodes = 0;
  for (const _ of planNodes(plan)) if (++nodes > LONG_PLAN) break;
  if (nodes <= LONG_PLAN) return err;
  const e = new RangeError(`${err.message}: the task computes a lineage of over ${LONG_PLAN} steps at once. Cut the lineage with a checkpoint: sc.setCheckpointDir(dir) once, then rdd.checkpoint() before an action every few hundred iterations`, { cause: err });
  e.stack = `${e.name}: ${e.message}\n${err.stack?.split("\n").slice(1).join("\n") ?? ""}`;
  return e;
}

/**
 * A successful outcome that could not be delivered after all (a record the transport cannot
 * encode): the task failed; its blocks stay reported, its accumulator additions are dropped.
 */
export function undeliverable(result: Extract<TaskOutcome, { type: "result" }>, err: unknown): Extract<TaskOutcome, { type: "failure" }> {
  return { type: "failure", taskId: result.taskId, error: serializeError(err), metrics: { ...result.metrics, recordsOut: 0 }, blocks: result.blocks };
}

function runningTaskOf(task: TaskDescription): RunningTask {
  return {
    stageId: task.stageId,
    partitionId: task.partition,
    attemptNumber: task.attempt,
    taskAttemptId: task.taskId,
    localProperties: task.localProperties,
    ...(task.barrier ? { barrier: task.barrier } : {}),
  };
}

function metricsOf(scope: TaskScope, started: number, recordsOut: number): TaskMetrics {
  const m = scope.metrics;
  return {
    durationMs: performance.now() - started,
    recordsOut,
    spills: m.spills,
    spillBytes: m.spillBytes,
    recordsIn: m.recordsIn,
    bytesIn: m.bytesIn,
    shuffleReadBytes: m.shuffleReadBytes,
    shuffleWriteBytes: m.shuffleWriteBytes,
    broadcastBytesRead: m.broadcastBytesRead,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** Fails the running task with an error that escaped its promise chain (see failRunningTask). */
let failEscaped: ((err: unknown) => void) | undefined;

/**
 * A failure that escaped the running task's promise chain (a throw in a timer, an unhandled
 * rejection: the process's handlers pass it here) fails that task at once. False when no
 * task is running.
 */
export function failRunningTask(err: unknown): boolean {
  if (!failEscaped) return false;
  failEscaped(err);
  return true;
}

/**
 * What a transport may hand a task besides its description: the records its engine streams
 * in, and where the task's records stream out (instead of one array in the outcome).
 */
export interface TaskIo {
  input?: ExecutorInput;
  /** Drains the task's records (to a socket, say); resolves to how many there were. */
  deliver?: (records: BatchStream<unknown>) => Promise<number>;
  /** Where the task learns that it should stop (task-interrupts.ts); none: it runs to its end. */
  interrupts?: InterruptCheck;
}

export async function executeTask(task: TaskDescription, runtime: WorkerRuntime, io: TaskIo = {}): Promise<TaskOutcome> {
  const dir = runtime.settings.profileDir;
  return dir === undefined ? runTask(task, runtime, io) : profiled(dir, profileFileName(task), () => runTask(task, runtime, io));
}

async function runTask(task: TaskDescription, runtime: WorkerRuntime, io: TaskIo): Promise<TaskOutcome> {
  const started = performance.now();
  for (const id of task.forgetClosures ?? []) runtime.closures.forget(id);
  for (const [id, bytes] of task.closures) runtime.closures.add(id, bytes);
  // Before anything is decoded: the classes its records may hold, the user's serializers it may meet.
  const prepared = Promise.all([runtime.closures.reviveRecordClasses(task.classes ?? []), runtime.closures.reviveSerializers(task.serializers ?? [])]);
  const scope = new TaskScope(runningTaskOf(task), runtime, io.input, io.interrupts);
  const escaped = new Promise<never>((_, reject) => (failEscaped = reject));
  setRunningTaskScope(scope);
  // The task's own chain ends with its cleanups (before a success is returned). After an
  // escaped failure it may still be running: it cleans up when it ends, and leaves the slot
  // to whichever task runs by then.
  const { deliver } = io;
  const run = (async () => {
    await prepared;
    const stream = await buildStream(task.plan, scope);
    return deliver ? deliver(stream) : collectStream(stream);
  })().finally(() => {
    if (runningTaskScope() === scope) setRunningTaskScope(undefined);
    scope.runCleanups();
  });
  try {
    const out = await Promise.race([run, escaped]);
    const records = typeof out === "number" ? [] : out;
    return { type: "result", taskId: task.taskId, records, metrics: metricsOf(scope, started, typeof out === "number" ? out : out.length), blocks: runtime.blocks.takeUpdates(), accumulators: [...scope.accumulators] };
  } catch (err) {
    // A failed attempt's accumulator additions are dropped.
    return { type: "failure", taskId: task.taskId, error: serializeError(explained(err, task.plan)), metrics: metricsOf(scope, started, 0), blocks: runtime.blocks.takeUpdates() };
  } finally {
    failEscaped = undefined;
    run.catch(() => {}); // after an escaped failure, the chain's own end is of no interest
  }
}

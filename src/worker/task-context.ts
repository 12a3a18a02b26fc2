/**
 * The task a worker is running. executeTask makes a TaskScope per task and passes it down
 * explicitly to sources, steps and shuffle buffers. User code reaches its task only through
 * the public API (TaskContext, accumulators, broadcasts, barrier), which has no argument to
 * carry it, so the scope also sits in one module-level slot while the task runs: a worker
 * runs one task at a time.
 */
import { InterruptCheck } from "./task-interrupts.js";
import type { TaskResources, ShuffleMetrics } from "../shuffle/task-resources.js";
import type { WorkerRuntime } from "./worker-runtime.js";
import type { BatchStream } from "./batch-stream.js";
import { TsparkError } from "../errors.js";
import { WORKER_ENV } from "./worker-env.js";
import type { ExecutorInputPlan } from "../scheduler/plan.js";

/** The records the engine hosting a worker hands a task, for each leaf of its plan that reads them. */
export type ExecutorInput = (leaf: ExecutorInputPlan) => BatchStream<unknown>;

export interface RunningTask {
  stageId: number;
  partitionId: number;
  attemptNumber: number;
  taskAttemptId: number;
  localProperties: Record<string, string>;
  barrier?: { numTasks: number; stageAttempt: number };
}

/** A task's counters, added to per batch or per file (never per record). */
export class TaskCounters implements ShuffleMetrics {
  /** Spill runs written and their bytes (map-side buffers, reduce-side combine and sort). */
  spills = 0;
  spillBytes = 0;
  shuffleReadBytes = 0;
  /** Records read from the task's input and the input's bytes. */
  recordsIn = 0;
  bytesIn = 0;
  shuffleWriteBytes = 0;
  /** Bytes of broadcast values read from their files (0 when already decoded in this worker). */
  broadcastBytesRead = 0;

  recordSpill(bytes: number): void {
    this.spills++;
    this.spillBytes += bytes;
  }

  recordShuffleRead(bytes: number): void {
    this.shuffleReadBytes += bytes;
  }
}

export class TaskScope implements TaskResources {
  readonly metrics = new TaskCounters();
  /** Accumulator values added by this task (id → its local sum), merged by the driver on success. */
  readonly accumulators = new Map<number, unknown>();
  readonly memoryBytes: number;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    readonly task: RunningTask,
    readonly runtime: WorkerRuntime,
    /** The records the hosting engine streams in, for each `executor-input` leaf of the plan. */
    private readonly input?: ExecutorInput,
    /** Whether the task was asked to stop (its sources look at batch boundaries). */
    readonly interrupts: InterruptCheck = new InterruptCheck(undefined),
  ) {
    this.memoryBytes = runtime.settings.workerMemoryBytes;
  }

  executorInput(leaf: ExecutorInputPlan): BatchStream<unknown> {
    if (!this.input) throw new TsparkError("PROTOCOL", "this task reads its executor's input, but its transport gave it none");
    return this.input(leaf);
  }

  spillDir(): string {
    return this.runtime.spillDir();
  }

  /** Prefix of this attempt's spill files. */
  get spillName(): string {
    return `t${this.task.taskAttemptId}`;
  }

  onTaskEnd(fn: () => void): void {
    this.cleanups.push(fn);
  }

  /** Runs (once) what was registered with onTaskEnd. */
  runCleanups(): void {
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        /* cleanup is best effort */
      }
    }
  }
}

let current: TaskScope | undefined;

/** Called by executeTask as its task starts, and with undefined when it is over. */
export function setRunningTaskScope(scope: TaskScope | undefined): void {
  current = scope;
}

export function runningTaskScope(): TaskScope | undefined {
  return current;
}

export function runningTask(): RunningTask | undefined {
  return current?.task;
}

/** Additions made while no task runs (a task's stray async code after it ended) are dropped. */
const strayAccumulators = new Map<number, unknown>();

export function accumulatorSlot(id: number): { get(): unknown; set(v: unknown): void; has(): boolean } {
  const values = current?.accumulators ?? strayAccumulators;
  return {
    get: () => values.get(id),
    set: (v) => void values.set(id, v),
    has: () => values.has(id),
  };
}

/** Counts bytes a broadcast value read from its file (reported per task: proves once per worker). */
export function recordBroadcastRead(bytes: number): void {
  if (current) current.metrics.broadcastBytesRead += bytes;
}

/** A worker another engine started (Spark's executors): its environment has no TSPARK_WORKER. */
let hostedWorker = false;

/** Marks this process as a worker that Spark's executor started (driver-only operations then refuse). */
export function markHostedWorker(): void {
  hostedWorker = true;
}

/** True inside a worker process (driver-only operations check it). */
export function inWorker(): boolean {
  return hostedWorker || process.env[WORKER_ENV] === "1";
}

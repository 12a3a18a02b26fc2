/**
 * An in-memory ExecutorBackend for unit tests of the schedulers: no process, no worker. A
 * test gives the function that "runs" each task; the backend records what was launched and
 * killed, and honours killTask as the local backend does (a task killed before it launched
 * never runs; a running one killed with interruption ends at once).
 */
import type { ExecutorBackend, ExecutorInfo, TaskResult } from "../../backend/backend.js";
import type { ClosureId, TaskDescription } from "../plan.js";
import type { SerializedError, TaskMetrics } from "../../worker/transport/protocol.js";

export type FakeTask = Omit<TaskDescription, "closures">;

/** Runs a task: its result, or a promise of it (one that never settles models a task that hangs until killed). */
export type TaskRunner = (task: FakeTask) => TaskResult | Promise<TaskResult>;

export const EXECUTOR_ID = "0";

export function zeroMetrics(): TaskMetrics {
  return { durationMs: 0, recordsOut: 0, spills: 0, spillBytes: 0, peakRssBytes: 0, recordsIn: 0, bytesIn: 0, shuffleReadBytes: 0, shuffleWriteBytes: 0, broadcastBytesRead: 0 };
}

/** A successful task returning `records`. */
export function succeeded(records: unknown[]): TaskResult {
  return { ok: true, records, resultBytes: 0, metrics: zeroMetrics(), executorId: EXECUTOR_ID, blocks: [], accumulators: [] };
}

/** A task that failed with the given error (as a worker reports a user's exception). */
export function failed(error: Partial<SerializedError> & { message: string }): TaskResult {
  return { ok: false, error: { name: "Error", stack: undefined, code: undefined, ...error }, executorId: EXECUTOR_ID, blocks: [] };
}

export class FakeBackend implements ExecutorBackend {
  /** Every task handed to a worker, in launch order. */
  readonly launched: FakeTask[] = [];
  /** Every killTask call. */
  readonly kills: Array<{ taskId: number; interruptRunning: boolean }> = [];
  private readonly running = new Map<number, (r: TaskResult) => void>();
  private readonly killedEarly = new Set<number>();
  private stopped = false;

  constructor(readonly slots: number, private readonly run: TaskRunner) {}

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async runTask(task: FakeTask, _closureIds: ClosureId[], _closureBytes: ReadonlyMap<ClosureId, Uint8Array>, _preferred?: string, onLaunch?: (executorId: string) => void): Promise<TaskResult> {
    // As a real backend, a task waits for a worker asynchronously: a kill can come first.
    await Promise.resolve();
    if (this.killedEarly.delete(task.taskId) || this.stopped) return failed({ name: "TaskKilled", message: `task ${task.taskId} was killed before it started`, code: "JOB_CANCELLED" });
    this.launched.push(task);
    onLaunch?.(EXECUTOR_ID);
    const killed = new Promise<TaskResult>((resolve) => this.running.set(task.taskId, resolve));
    try {
      return await Promise.race([Promise.resolve().then(() => this.run(task)), killed]);
    } finally {
      this.running.delete(task.taskId);
    }
  }

  broadcastControl(): void {}

  killTask(taskId: number, interruptRunning = true): void {
    this.kills.push({ taskId, interruptRunning });
    const running = this.running.get(taskId);
    if (!running) this.killedEarly.add(taskId);
    else if (interruptRunning) running(failed({ name: "WorkerLost", message: `task ${taskId} was killed`, code: "WORKER_LOST" }));
  }

  executorInfos(): ExecutorInfo[] {
    return [{ executorId: EXECUTOR_ID, pid: 0, activeTasks: this.running.size, completedTasks: 0, failedTasks: 0, peakRssBytes: 0 }];
  }

  pids(): number[] {
    return [];
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** The tasks launched for `stageId`, in launch order. */
  launchedIn(stageId: number): FakeTask[] {
    return this.launched.filter((t) => t.stageId === stageId);
  }
}

/**
 * The narrow interface between the scheduler and whatever runs tasks. The local process
 * pool is the first implementation; a cluster backend runs the same worker processes
 * elsewhere behind the same interface.
 */
import type { TaskDescription, ClosureId } from "../scheduler/plan.js";
import type { SerializedError, TaskMetrics, DriverMessage, WorkerMessage } from "../worker/transport/protocol.js";
import type { BlockUpdate } from "../storage/block-store.js";
import type { OutputStream } from "./worker-process.js";

export type TaskResult =
  | { ok: true; records: unknown[]; resultBytes: number; metrics: TaskMetrics; executorId: string; blocks: BlockUpdate[]; accumulators: Array<[number, unknown]> }
  | { ok: false; error: SerializedError; executorId: string; metrics?: TaskMetrics; lostWorker?: WorkerLoss; blocks: BlockUpdate[] };

/** The error code of a task whose result alone is past the results limit (the job fails: a retry gives the same result). */
export const RESULT_TOO_LARGE = "RESULT_TOO_LARGE";

/** The limit on the results one action brings to the driver (0: none), and how errors name it. */
export interface ResultLimit {
  bytes: number;
  text: string;
}

/** Why a worker process died while running a task. */
export interface WorkerLoss {
  pid: number;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string[];
  /** Set when the driver killed the worker because its control stream was corrupt. */
  protocolError?: string | undefined;
  /** Set when the driver killed the worker because it sent no heartbeat for this many milliseconds. */
  silentMs?: number | undefined;
}

export interface ExecutorInfo {
  /** The worker's id (its slot number). */
  executorId: string;
  /** The worker's process id. */
  pid: number;
  /** Tasks running in the worker now. */
  activeTasks: number;
  /** Tasks the worker finished successfully. */
  completedTasks: number;
  /** Tasks that failed in the worker. */
  failedTasks: number;
  /** Peak resident memory of the worker process, as of its last finished task. */
  peakRssBytes: number;
}

/** A barrier task's barrier()/allGather() call, as a worker sends it. */
export type BarrierRequest = Extract<WorkerMessage, { type: "barrier" }>;

/** What a backend tells the driver, given at construction. */
export interface ExecutorEvents {
  /** A worker process has started and greeted the driver. */
  executorAdded(executorId: string, pid: number): void;
  /** A worker process died (its cached blocks in memory are gone). */
  executorLost(executorId: string, loss: WorkerLoss): void;
  /** A barrier task called barrier()/allGather(); `reply` answers the calling worker. */
  barrier(request: BarrierRequest, reply: (messages: string[]) => void): void;
  /** A line a worker wrote to its stdout or stderr. */
  workerOutput(executorId: string, stream: OutputStream, line: string): void;
}

export interface ExecutorBackend {
  /** How many tasks may run at once. */
  readonly slots: number;
  /** Resolves when the workers are ready to take tasks. */
  ready(): Promise<void>;
  /**
   * Runs a task on an idle worker. `task.closures` is filled in by the backend with the
   * bytes (from `closureBytes`) that the chosen worker has not seen yet. `onLaunch` is told
   * the executor when the task is sent to it.
   */
  runTask(task: Omit<TaskDescription, "closures">, closureIds: ClosureId[], closureBytes: ReadonlyMap<ClosureId, Uint8Array>, preferredExecutor?: string, onLaunch?: (executorId: string) => void): Promise<TaskResult>;
  /** Sends a control message to every live worker. */
  broadcastControl(msg: DriverMessage): void;
  /**
   * Cancels a task: one still waiting for a worker never starts; a running one is asked to
   * stop at its next batch boundary, and with `interruptRunning` killed (its worker replaced)
   * if it still runs after `graceMs` (0: killed at once; default: the backend's grace period).
   */
  killTask(taskId: number, interruptRunning?: boolean, graceMs?: number): void;
  executorInfos(): ExecutorInfo[];
  /** Process ids of the live workers (killed by the driver's exit handler; tests check none outlive the context). */
  pids(): number[];
  stop(): Promise<void>;
}

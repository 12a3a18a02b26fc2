/**
 * A job's and a stage's state as the schedulers keep it (the status tracker and the
 * console progress bar read it).
 */
import type { TsparkError } from "../errors.js";
import type { TaskMetrics } from "../worker/transport/protocol.js";

/** Settings a job carries from the context's local properties at submission. */
export interface JobProperties {
  group: string | undefined;
  description: string | undefined;
  tags: string[];
  interruptOnCancel: boolean;
  localProperties: Record<string, string>;
}

export type JobStatus = "RUNNING" | "SUCCEEDED" | "FAILED";

export interface JobState {
  jobId: number;
  name: string;
  props: JobProperties;
  stageIds: number[];
  status: JobStatus;
  submissionTime: number;
  completionTime: number | undefined;
  error: string | undefined;
  /** Set when the job is cancelled: running stages stop launching and fail with it. */
  cancelled: TsparkError | undefined;
  readonly runningTasks: Set<number>;
  readonly cancelSignal: Promise<never>;
  /** Fails the job with `err`; kills its running tasks when `interrupt` (default: the job's interruptOnCancel). */
  cancel(err: TsparkError, interrupt?: boolean): void;
  /**
   * Settles cancelSignal once the job has ended: a promise that never settles keeps every
   * reaction raced against it, and with them the job's frames, RDDs and closures (the
   * captured values of an iterative program's every job, for as long as the job is kept).
   */
  releaseSignal(): void;
}

export interface StageState {
  stageId: number;
  jobId: number;
  name: string;
  numTasks: number;
  numActiveTasks: number;
  numCompletedTasks: number;
  numFailedTasks: number;
  status: "ACTIVE" | "COMPLETE" | "FAILED";
  submissionTime: number;
  completionTime: number | undefined;
  /** Totals over the stage's successful tasks. */
  metrics: StageMetrics;
}

/** A stage's totals over its successful tasks (on Spark, of the tasks tspark's workers ran). */
export interface StageMetrics {
  durationMs: number;
  recordsOut: number;
  resultBytes: number;
  spills: number;
  spillBytes: number;
  shuffleWriteBytes: number;
  broadcastBytesRead: number;
}

export function emptyStageMetrics(): StageMetrics {
  return { durationMs: 0, recordsOut: 0, resultBytes: 0, spills: 0, spillBytes: 0, shuffleWriteBytes: 0, broadcastBytesRead: 0 };
}

/** Adds one successful task's metrics (and the bytes of its result) to its stage's totals. */
export function addTaskMetrics(m: StageMetrics, task: TaskMetrics, resultBytes: number): void {
  m.durationMs += task.durationMs;
  m.recordsOut += task.recordsOut;
  m.resultBytes += resultBytes;
  m.spills += task.spills;
  m.spillBytes += task.spillBytes;
  m.shuffleWriteBytes += task.shuffleWriteBytes;
  m.broadcastBytesRead += task.broadcastBytesRead;
}


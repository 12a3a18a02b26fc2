/**
 * A job's and a stage's state as the schedulers keep it (the status tracker and the
 * console progress bar read it).
 */
import type { TsparkError } from "../errors.js";

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
  metrics: { durationMs: number; recordsOut: number; resultBytes: number; spills: number; spillBytes: number; broadcastBytesRead: number };
}


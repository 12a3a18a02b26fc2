/**
 * Messages between the driver and a worker process, each one frame on the worker's
 * control channel (file descriptor 3). Plain data, encoded by serde/message-codec.
 */
import type { TaskDescription } from "../scheduler/plan.js";

export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: string | undefined;
}

export type DriverMessage =
  | { type: "task"; task: TaskDescription }
  | { type: "shutdown" };

export type WorkerMessage =
  | { type: "hello"; version: string; pid: number }
  | { type: "result"; taskId: number; records: unknown[]; metrics: TaskMetrics }
  | { type: "failure"; taskId: number; error: SerializedError; metrics: TaskMetrics };

export interface TaskMetrics {
  durationMs: number;
  recordsOut: number;
  /** Spill runs written and their bytes (map-side buffers, reduce-side combine and sort). */
  spills: number;
  spillBytes: number;
  /** The worker process's peak resident memory so far. */
  peakRssBytes: number;
}

/** The file descriptor, in the worker, of its control channel to the driver. */
export const CONTROL_FD = 3;

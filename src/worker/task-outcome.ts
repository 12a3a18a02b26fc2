/**
 * What running a task produces, as plain data any transport can encode: its records and
 * side effects (block updates, accumulator additions) on success, or its error. Types, and
 * the one error code the worker sets itself.
 */
import type { BlockUpdate } from "../storage/block-store.js";

export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: string | undefined;
}

/** A task error's code when the user's code threw something other than an Error (a string, say), which carries no stack. */
export const THROWN_VALUE = "THROWN_VALUE";

export interface TaskMetrics {
  durationMs: number;
  recordsOut: number;
  /** Spill runs written and their bytes (map-side buffers, reduce-side combine and sort). */
  spills: number;
  spillBytes: number;
  /** The worker process's peak resident memory so far. */
  peakRssBytes: number;
  /** Records read from the task's input (files, parallelized data, shuffle segments) and the input's bytes. */
  recordsIn: number;
  bytesIn: number;
  /** Bytes of shuffle segments this task read (reduce side) and wrote (map side). */
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  /** Bytes of broadcast values this task read from their files (0 when already decoded in this worker). */
  broadcastBytesRead: number;
}

export type TaskOutcome =
  | { type: "result"; taskId: number; records: unknown[]; metrics: TaskMetrics; blocks: BlockUpdate[]; accumulators: Array<[number, unknown]> }
  | { type: "failure"; taskId: number; error: SerializedError; metrics: TaskMetrics; blocks: BlockUpdate[] };

/**
 * Messages between the driver and a worker process, each one frame on the worker's
 * control channel (file descriptor 3). Plain data, encoded by serde/message-codec.
 */
import type { TaskDescription } from "../../scheduler/plan.js";
import type { BlockUpdate } from "../../storage/block-store.js";

export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: string | undefined;
}

export type DriverMessage =
  | { type: "task"; task: TaskDescription }
  | { type: "shutdown" }
  /** Forget an RDD's cached blocks (unpersist). */
  | { type: "dropRdd"; rddId: number }
  /** Forget a broadcast value (unpersist/destroy). */
  | { type: "dropBroadcast"; broadcastId: number }
  /** Answer to a barrier task's barrier()/allGather(). */
  | { type: "barrierReply"; requestId: number; messages?: string[]; error?: string };

export type WorkerMessage =
  | { type: "hello"; version: string; pid: number }
  | { type: "barrier"; requestId: number; taskId: number; stageId: number; stageAttempt: number; partition: number; numTasks: number; message: string }
  | { type: "result"; taskId: number; records: unknown[]; metrics: TaskMetrics; blocks: BlockUpdate[]; accumulators: Array<[number, unknown]> }
  | { type: "failure"; taskId: number; error: SerializedError; metrics: TaskMetrics; blocks: BlockUpdate[] };

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

/** The file descriptor, in the worker, of its control channel to the driver. */
export const CONTROL_FD = 3;

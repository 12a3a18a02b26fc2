/**
 * Messages between the driver and a worker process, each one frame on the worker's
 * control channel (file descriptor 3). Plain data, encoded by serde/message-codec.
 */
import type { FlatPlan, TaskDescription } from "../../scheduler/plan.js";
import type { TaskOutcome } from "../task-outcome.js";
import type { BarrierRequest } from "../barrier-client.js";

export type { SerializedError, TaskMetrics } from "../task-outcome.js";

/** A task as it travels: its plan flattened (plan.ts flattenPlan), which V8's serializer writes however deep the plan. */
export type WireTask = Omit<TaskDescription, "plan"> & { plan: FlatPlan };

export type DriverMessage =
  /** First to a standby worker (backend/standby-workers.ts): the application's variables to set (null: remove). */
  | { type: "adopt"; env: Record<string, string | null> }
  | { type: "task"; task: WireTask }
  | { type: "shutdown" }
  /** Forget an RDD's cached blocks (unpersist). */
  | { type: "dropRdd"; rddId: number }
  /** Forget a broadcast value (unpersist/destroy). */
  | { type: "dropBroadcast"; broadcastId: number }
  /** Answer to a barrier task's barrier()/allGather(). */
  | { type: "barrierReply"; requestId: number; messages?: string[]; error?: string };

export type WorkerMessage =
  | { type: "hello"; version: string; pid: number }
  | BarrierRequest
  /** Records of a task's result too large for one frame, a piece at a time (result-pieces.ts), ahead of its outcome. */
  | { type: "resultPart"; taskId: number; records: Uint8Array }
  /** A task's result or failure. */
  | TaskOutcome;

/** The file descriptor, in the worker, of its control channel to the driver. */
export const CONTROL_FD = 3;

/** The file descriptor, in the worker, of its heartbeat pipe: a byte every HEARTBEAT_MS from a thread of its own. */
export const HEARTBEAT_FD = 4;
export const HEARTBEAT_MS = 250;

/**
 * What a worker reports to the driver at the end of each successful task on Spark, as the one
 * accumulator update of the task (PySpark's worker sends its accumulators' additions there):
 * the task's accumulator additions and its metrics, for its stage's totals. Spark merges a
 * task's update into the driver's PythonAccumulatorV2 only when the task succeeds, so a failed
 * or retried attempt never counts (accumulator-server.ts receives it).
 */
import { decodeMessage, encodeMessage } from "../serde/message-codec.js";
import type { TaskMetrics } from "../worker/task-outcome.js";

export interface TaskReport {
  /** Spark's id of the task's stage (its status tracker's). */
  stageId: number;
  metrics: TaskMetrics;
  accumulators: Array<[number, unknown]>;
}

export function encodeTaskReport(report: TaskReport): Uint8Array {
  return encodeMessage(report);
}

export function decodeTaskReport(bytes: Uint8Array): TaskReport {
  return decodeMessage<TaskReport>(bytes);
}

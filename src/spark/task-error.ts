/**
 * A task's error as it crosses Spark: the worker reports it as PySpark reports one (-2 and a
 * message, which the JVM wraps in a PythonException and its stack), so the message starts
 * readable and carries the error as JSON on a line of its own after a marker; the driver
 * finds that line in whatever the JVM made of it and rebuilds the error with the user's stack.
 */
import type { SerializedError } from "../worker/task-outcome.js";

const MARKER = "tspark-task-error:";

/** A failed task's error, with the RDD partition and Spark stage it ran (which Spark's own message numbers differently). */
export type SparkTaskError = SerializedError & { partition?: number; stage?: number };

/** The message a worker sends for a failed task. */
export function encodeTaskError(error: SparkTaskError): string {
  // Newline-terminated: Spark may append to the message (4.x adds " SQLSTATE: ...").
  return `${error.name}: ${error.message}\n${MARKER}${JSON.stringify(error)}\n`;
}

/** The task error inside a JVM exception's text (its message or stack trace), if there is one. */
export function findTaskError(text: string): SparkTaskError | undefined {
  const at = text.indexOf(MARKER);
  if (at < 0) return undefined;
  const line = text.slice(at + MARKER.length).split("\n")[0]!;
  try {
    return JSON.parse(line) as SparkTaskError;
  } catch {
    return undefined;
  }
}

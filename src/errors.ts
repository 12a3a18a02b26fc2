/**
 * Typed errors: every error tspark raises on purpose carries a machine-readable `code`,
 * a message written for the user, and the underlying `cause` when there is one.
 */
export type TsparkErrorCode =
  | "CLOSURE_CAPTURE"      // a closure captured something that cannot cross a process boundary
  | "CLOSURE_REVIVE"       // a worker could not rebuild a shipped function
  | "INPUT_NOT_FOUND"      // an input path matched nothing
  | "INPUT_UNREADABLE"     // an input file exists but cannot be read (permissions, a directory)
  | "DISK_FULL"            // a write failed for lack of space (or quota, or a read-only file system)
  | "OUTPUT_EXISTS"        // an output path already exists
  | "TASK_FAILED"          // user code threw in a task (after retries)
  | "WORKER_LOST"          // a worker process died while running a task
  | "JOB_CANCELLED"
  | "CONTEXT_STOPPED"      // an operation needs a live SparkContext
  | "CONTEXT_EXISTS"       // a second active SparkContext in one process
  | "INVALID_ARGUMENT"
  | "EMPTY_COLLECTION"     // e.g. reduce() or first() of an empty RDD
  | "PROTOCOL"             // corrupt frame or unexpected end of stream between processes
  | "FETCH_FAILED"         // a shuffle map output a reduce task needs is gone (recomputed from lineage)
  | "UNSERIALIZABLE"       // a record or value holds something that cannot cross a process boundary (a function, an unlocatable class)
  | "CORRUPT_FILE"         // a shuffle, spill or cache file failed its checksum (the file is named)
  | "SPARK_UNAVAILABLE"    // Spark was not found, is a version tspark does not support, or its JVM failed or went away
  | "JVM_ERROR"            // a call the driver made into Spark's JVM threw there
  | "CONFIG";

export class TsparkError extends Error {
  /** What went wrong, for programs: `TASK_FAILED`, `JOB_CANCELLED`, `OUTPUT_EXISTS`, ... */
  readonly code: TsparkErrorCode;
  /**
   * An error with a machine-readable `code`, a message for the user, and an optional `cause`.
   *
   * @example
   * ```ts
   * const err = new TsparkError("INVALID_ARGUMENT", "numPartitions must be positive");
   * [err.name, err.code, err.message]; // → ["TsparkError", "INVALID_ARGUMENT", "numPartitions must be positive"]
   * // Errors tspark raises carry their code:
   * await sc.emptyRDD().first().catch((e: TsparkError) => e.code); // → "EMPTY_COLLECTION"
   * ```
   */
  constructor(code: TsparkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "TsparkError";
  }
}

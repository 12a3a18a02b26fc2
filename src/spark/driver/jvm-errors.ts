/**
 * What a JVM exception from Spark's Hadoop input and output means for the user, as tspark's
 * own engine says it: a missing input, an existing output.
 */
import { TsparkError } from "../../errors.js";
import { JvmError } from "../py4j/py4j-client.js";

/** Hadoop's listing of an input path failed: missing paths are INPUT_NOT_FOUND. */
export function inputError(path: string, err: unknown): unknown {
  if (!(err instanceof JvmError)) return err;
  const missing = /InvalidInputException: (.*)/.exec(err.javaMessage);
  if (missing) return new TsparkError("INPUT_NOT_FOUND", `${path}: ${missing[1]}`, { cause: err });
  return new TsparkError("INPUT_UNREADABLE", `${path}: Spark could not list the input: ${err.javaMessage}`, { cause: err });
}

/** Hadoop's output committer refused or failed: an existing directory is OUTPUT_EXISTS. */
export function outputError(path: string, err: unknown): unknown {
  if (!(err instanceof JvmError)) return err;
  const exists = /FileAlreadyExistsException: (.*)/.exec(err.javaMessage);
  if (exists) return new TsparkError("OUTPUT_EXISTS", `${path} already exists (${exists[1]}); remove it or write elsewhere`, { cause: err });
  return err;
}

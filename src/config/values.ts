/**
 * How a setting's text becomes a typed value. Each parser takes the text and the key (for
 * messages that name it) and throws the message the user sees when it refuses the text. The
 * messages are worded per kind as they always were: some name the key, some only the value.
 */
import { resolve } from "node:path";
import { TsparkError } from "../errors.js";
import { localPathOf } from "../io/paths.js";
import { parseLogLevel, type LogLevel } from "../util/log.js";

/** Reads one setting's text; throws when the text is not a value of its kind. */
export type ValueParser<T> = (text: string, key: string) => T;

/** The text as written. */
export const text: ValueParser<string> = (value) => value;

/** Which engine runs a local master's jobs. */
export const engineName: ValueParser<"local" | "spark"> = (value, key) => {
  const v = value.trim().toLowerCase();
  if (v === "local" || v === "spark") return v;
  throw new TsparkError("CONFIG", `${key} must be local or spark, got "${value}"`);
};

/** `true` or `false`, in any case, spaces around allowed. */
export const flag: ValueParser<boolean> = (value, key) => {
  const v = value.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new TsparkError("CONFIG", `${key} must be true or false, got "${value}"`);
};

/** A whole number ≥ 1 (read as JavaScript's Number() reads it). */
export const positiveInteger: ValueParser<number> = (value, key) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TsparkError("CONFIG", `${key} must be a positive integer`);
  return n;
};

/** A TCP port to listen on, 0-65535 (0: any free port). */
export const port: ValueParser<number> = (value, key) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new TsparkError("CONFIG", `${key} must be a port number (0-65535; 0 = any free port)`);
  return n;
};

/** A duration in milliseconds, 0 or more. */
export const milliseconds: ValueParser<number> = (value, key) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new TsparkError("CONFIG", `${key} must be a number of milliseconds (0 or more), got "${value}"`);
  return n;
};

/** A log level name (ALL ... OFF, any case), upper-cased. The message names the level, not the key. */
export const logLevel: ValueParser<LogLevel> = (value) => parseLogLevel(value);

/** A comma-separated list (items trimmed, empty ones dropped), e.g. of files. */
export const commaList: ValueParser<readonly string[]> = (value) =>
  Object.freeze(value.split(",").map((item) => item.trim()).filter((item) => item !== ""));

/** A space-separated list, e.g. of command-line flags. */
export const spaceList: ValueParser<readonly string[]> = (value) => Object.freeze(value.split(/\s+/).filter(Boolean));

/** A directory or file path, made absolute against the working directory of the moment it is read. */
export const absolutePath: ValueParser<string> = (value) => resolve(value);

/**
 * A local path made absolute (a `file:` URL made a path), or another filesystem's URL
 * (`hdfs://`, `s3a://`) kept as it is, for what Spark may write there.
 */
export const pathOrUrl: ValueParser<string> = (value, key) => {
  try {
    return localPathOf(value) ?? value;
  } catch {
    throw new TsparkError("CONFIG", `${key} must be a local path or file: URL (file:///dir), got "${value}"`);
  }
};

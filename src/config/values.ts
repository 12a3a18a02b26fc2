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

/** Milliseconds per unit of a duration's suffix, as Spark's time strings (JavaUtils.timeStringAsMs). */
const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration, 0 or more: milliseconds, or a number with Spark's units (100ms, 5s, 2min, 1h). */
export const milliseconds: ValueParser<number> = (value, key) => {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? TIME_UNITS[(m[2] || "ms").toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(n) || n < 0) throw new TsparkError("CONFIG", `${key} must be a duration (milliseconds, or with a unit: 100ms, 5s, 2min), got "${value}"`);
  return n;
};

/** A number above 0. */
export const positiveNumber: ValueParser<number> = (value, key) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || value.trim() === "") throw new TsparkError("CONFIG", `${key} must be a number above 0, got "${value}"`);
  return n;
};

/** A fraction, 0 or more and below 1. */
export const fraction: ValueParser<number> = (value, key) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1 || value.trim() === "") throw new TsparkError("CONFIG", `${key} must be a fraction from 0 to below 1, got "${value}"`);
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

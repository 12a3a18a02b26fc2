/**
 * The engine's log: quiet by default (warnings and errors), every line prefixed with its
 * level and source. `sc.setLogLevel("INFO")` changes the threshold.
 */
export const LOG_LEVELS = ["ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let threshold = LOG_LEVELS.indexOf("WARN");

export function setLogThreshold(level: string): void {
  const i = LOG_LEVELS.indexOf(level.toUpperCase() as LogLevel);
  if (i < 0) throw new Error(`unknown log level "${level}"; use one of ${LOG_LEVELS.join(", ")}`);
  threshold = i;
}

export function log(level: Exclude<LogLevel, "ALL" | "OFF">, source: string, message: string): void {
  if (LOG_LEVELS.indexOf(level) < threshold) return;
  process.stderr.write(`${new Date().toISOString()} ${level} ${source}: ${message}\n`);
}

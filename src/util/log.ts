/**
 * The engine's log: quiet by default (warnings and errors), every line with its time, level
 * and source, as Spark's (`26/12/01 17:05:03 WARN scheduler: ...`). `sc.setLogLevel("INFO")`
 * or the `tspark.log.level` setting changes the threshold.
 */
export const LOG_LEVELS = ["ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let threshold = LOG_LEVELS.indexOf("WARN");

/** Where log lines go (stderr); the console progress bar wraps it to clear its line first. */
let sink = (line: string): void => {
  process.stderr.write(line);
};

/** The level a name stands for (any case); throws for a name that is not one. */
export function parseLogLevel(name: string): LogLevel {
  const level = name.toUpperCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new Error(`unknown log level "${name}"; use one of ${LOG_LEVELS.join(", ")}`);
  return level;
}

export function setLogThreshold(level: string): void {
  threshold = LOG_LEVELS.indexOf(parseLogLevel(level));
}

export function logThreshold(): LogLevel {
  return LOG_LEVELS[threshold]!;
}

/** @internal Replaces the log's output (returns the previous one, to restore). */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const prev = sink;
  sink = next;
  return prev;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `yy/MM/dd HH:mm:ss LEVEL source: message` in local time, as Spark's log4j layout. */
export function formatLogLine(level: LogLevel, source: string, message: string, at: Date): string {
  const date = `${pad(at.getFullYear() % 100)}/${pad(at.getMonth() + 1)}/${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return `${date} ${time} ${level} ${source}: ${message}\n`;
}

export function log(level: Exclude<LogLevel, "ALL" | "OFF">, source: string, message: string): void {
  if (LOG_LEVELS.indexOf(level) < threshold) return;
  sink(formatLogLine(level, source, message, new Date()));
}

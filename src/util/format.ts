/**
 * How a record is written as a line of text (saveAsTextFile, pipe): strings as they are,
 * everything else as JSON (bigints as digits), so pairs read back as `["a",1]`.
 */
export function formatRecord(x: unknown): string {
  if (typeof x === "string") return x;
  if (x === undefined) return "undefined";
  if (typeof x !== "object" || x === null) return String(x);
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
}

/** A byte count for people: "512 B", "3.2 KiB", "1.5 GiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

/** A duration for people: "40 ms", "2.5 s", "3.1 min", "1.2 h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

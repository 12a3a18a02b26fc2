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

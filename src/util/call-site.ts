/**
 * Where in the user's program an RDD was made ("map at wordcount.ts:12"), for
 * toDebugString and the UI. The first stack frame outside the engine is the user's.
 */
import { fileURLToPath } from "node:url";
import { dirname, basename } from "node:path";

const ENGINE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export function userCallSite(): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  Error.captureStackTrace(holder, userCallSite);
  Error.stackTraceLimit = limit;
  for (const line of (holder.stack ?? "").split("\n").slice(1)) {
    if (line.includes(ENGINE_ROOT) || line.includes("node:internal") || line.includes("node_modules/tsx/")) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(line);
    if (m) {
      const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
      return `${basename(file)}:${m[2]}`;
    }
  }
  return "<unknown>";
}

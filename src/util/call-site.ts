/**
 * Where in the user's program something happened ("map at wordcount.ts:12"): the first
 * stack frame that is not the engine's (nor Node's, nor the TypeScript loader's).
 */
import { fileURLToPath } from "node:url";
import { dirname, basename } from "node:path";

/** The installed engine's root (dist/). Test files compiled there count as user code. */
const ENGINE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Whether a stack frame line belongs to the engine, Node internals or the TS loader. */
export function isEngineFrame(line: string): boolean {
  if (/\(node:|\bat node:|<anonymous>\)|\(native\)|node_modules\/tsx\//.test(line)) return true;
  return line.includes(ENGINE_ROOT) && !/\.test\.js:\d+/.test(line);
}

export function userCallSite(): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  Error.captureStackTrace(holder, userCallSite);
  Error.stackTraceLimit = limit;
  for (const line of (holder.stack ?? "").split("\n").slice(1)) {
    if (isEngineFrame(line)) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(line);
    if (m) {
      const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
      return `${basename(file)}:${m[2]}`;
    }
  }
  return "<unknown>";
}

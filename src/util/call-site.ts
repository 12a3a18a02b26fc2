/**
 * Where in the user's program something happened ("map at wordcount.ts:12"): the first
 * stack frame that is not the engine's (nor Node's, nor the TypeScript loader's).
 */
import { fileURLToPath } from "node:url";
import { dirname, basename, join, sep } from "node:path";

/** The package root: its dist/ (and src/, which source-mapped stacks show) hold the engine. */
const PACKAGE_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const ENGINE_DIRS = [join(PACKAGE_ROOT, "dist") + sep, join(PACKAGE_ROOT, "src") + sep];

/** Whether a stack frame line belongs to the engine, Node internals or the TS loader. Test files count as user code. */
export function isEngineFrame(line: string): boolean {
  if (/\(node:|\bat node:|<anonymous>\)|\(native\)|node_modules\/tsx\//.test(line)) return true;
  return ENGINE_DIRS.some((d) => line.includes(d)) && !/\.test\.[jt]s:\d+/.test(line);
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

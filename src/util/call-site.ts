/**
 * Where in the user's program something happened ("map at wordcount.ts:12"): the first
 * stack frame that is not the engine's (nor Node's, nor the TypeScript loader's).
 */
import { fileURLToPath } from "node:url";
import { findSourceMap } from "node:module";
import { dirname, basename, join, sep } from "node:path";

/** The package root: its dist/ (and src/, which source-mapped stacks show) hold the engine. */
const PACKAGE_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const ENGINE_DIRS = [join(PACKAGE_ROOT, "dist") + sep, join(PACKAGE_ROOT, "src") + sep];

/** Whether a stack frame line belongs to the engine, Node internals or the TS loader. Test files count as user code. */
export function isEngineFrame(line: string): boolean {
  if (/\(node:|\bat node:|<anonymous>\)|\(native\)|node_modules\/tsx\//.test(line)) return true;
  return ENGINE_DIRS.some((d) => line.includes(d)) && !/\.test\.[jt]s:\d+/.test(line);
}

/** Whether a frame's file is the engine's, Node's or the TS loader's (as isEngineFrame, by file name). */
function isEngineFile(file: string): boolean {
  if (file.startsWith("node:") || file.includes("node_modules/tsx/")) return true;
  const path = file.startsWith("file://") ? fileURLToPath(file) : file;
  return ENGINE_DIRS.some((d) => path.startsWith(d)) && !/\.test\.[jt]s$/.test(path);
}

/**
 * `file.ts:line` of the first frame of the user's code on the stack. Called at every RDD made
 * and every action, so it reads the frames as V8's call sites, without formatting the stack:
 * Node would map every frame through its source map (parsing the engine's maps), while only
 * the user's frame is mapped here, to its TypeScript line.
 */
export function userCallSite(): string {
  const holder: { stack?: NodeJS.CallSite[] } = {};
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = 30;
  Error.prepareStackTrace = (_err, frames) => frames;
  try {
    Error.captureStackTrace(holder, userCallSite);
    for (const frame of holder.stack ?? []) {
      const file = frame.getFileName();
      const line = frame.getLineNumber();
      if (!file || line === null || isEngineFile(file)) continue;
      const entry = findSourceMap(file)?.findEntry(line - 1, (frame.getColumnNumber() ?? 1) - 1);
      const mapped = entry && "originalLine" in entry ? { file: entry.originalSource, line: entry.originalLine + 1 } : { file, line };
      const path = mapped.file.startsWith("file://") ? fileURLToPath(mapped.file) : mapped.file;
      return `${basename(path)}:${mapped.line}`;
    }
    return "<unknown>";
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

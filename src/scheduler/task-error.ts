/**
 * Turns a failure reported by a worker into the error the user sees: their message, and a
 * stack of their own frames mapped back to their source lines, without engine frames.
 */
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import type { SerializedError } from "../executor/protocol.js";
import { mapStackToSource } from "../closure/source-map.js";

/** The installed engine's root (dist/): frames under it are the engine's, not the user's. */
const ENGINE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

function isEngineFrame(line: string): boolean {
  return line.includes(ENGINE_ROOT) || line.includes("node:internal") || line.includes("(native)") || /\bat (new )?Generator\.next|\bat next \(<anonymous>\)/.test(line) || line.includes("<anonymous>)");
}

/** The user's frames of a worker stack, mapped to original source positions. */
export function userFrames(stack: string | undefined): string[] {
  if (!stack) return [];
  const lines = mapStackToSource(stack).split("\n");
  return lines.filter((l) => /^\s+at /.test(l) && !isEngineFrame(l)).map((l) => l.trim());
}

/** `Name: message` followed by the user's frames, indented. */
export function describeRemoteError(err: SerializedError): string {
  const head = `${err.name}: ${err.message}`;
  const frames = userFrames(err.stack);
  return frames.length ? `${head}\n${frames.map((f) => `    ${f}`).join("\n")}` : head;
}

/** Rebuilds an Error object with the remote name, message and mapped stack. */
export function reviveRemoteError(err: SerializedError): Error {
  const e = new Error(err.message);
  e.name = err.name;
  e.stack = describeRemoteError(err);
  if (err.code !== undefined) (e as Error & { code?: string }).code = err.code;
  return e;
}

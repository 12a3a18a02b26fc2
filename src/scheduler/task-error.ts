/**
 * Turns a failure reported by a worker into the error the user sees: their message, and a
 * stack of their own frames mapped back to their source lines, without engine frames.
 */
import type { SerializedError } from "../worker/transport/protocol.js";
import { THROWN_VALUE } from "../worker/task-outcome.js";
import { mapStackToSource } from "../closure/source-map.js";
import { isEngineFrame } from "../util/call-site.js";

/** Whether a task's error fails every attempt alike (a record that cannot be serialized): no retry mends it, on either engine. */
export function failsEveryAttempt(err: Pick<SerializedError, "code">): boolean {
  return err.code === "UNSERIALIZABLE";
}

/** The user's frames of a worker stack (engine frames dropped first), mapped to their sources. */
export function userFrames(stack: string | undefined): string[] {
  if (!stack) return [];
  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l) && !isEngineFrame(l));
  return frames.length ? mapStackToSource(frames.join("\n")).split("\n").map((l) => l.trim()) : [];
}

/** `Name: message` followed by the user's frames, indented (or, for a thrown non-Error, how to get them). */
export function describeRemoteError(err: SerializedError): string {
  const head = `${err.name}: ${err.message}`;
  const frames = userFrames(err.stack);
  if (frames.length === 0 && err.code === THROWN_VALUE) return `${head}\n    (a value that is not an Error has no stack: throw new Error(...) to see the line that threw it)`;
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

/**
 * Runs a user program, TypeScript or JavaScript, transpiled on the fly by tsx (a well-kept
 * loader built on esbuild).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TsparkError } from "../errors.js";

let tsxRegistered = false;

/** Lets `import` load .ts files (the program, its helpers; the shell's dynamic imports). */
export async function registerTsx(): Promise<void> {
  if (tsxRegistered) return;
  tsxRegistered = true;
  // The engine first, with Node's own loader: once tsx's hooks are registered, every module
  // loaded goes through them (a round trip to the loader's thread each), which made a
  // program's start several hundred milliseconds slower. The program's `import "tspark"`
  // then finds the engine loaded.
  await import("../index.js");
  const esm = await import("tsx/esm/api");
  const cjs = await import("tsx/cjs/api");
  esm.register();
  cjs.register();
}

/** Imports the program with `args` as its process.argv tail; resolves with the exit code. */
export async function runProgram(program: string, args: string[]): Promise<number> {
  const path = resolve(program);
  if (!existsSync(path)) throw new TsparkError("CONFIG", `program not found: ${program}`);
  process.argv = [process.argv[0]!, path, ...args];
  await registerTsx();
  try {
    await import(pathToFileURL(path).href);
    // The program's own `process.exitCode` is its answer (a CI script may fail that way).
    return Number(process.exitCode ?? 0);
  } catch (err) {
    reportFailure(err);
    return 1;
  }
}

/** A failed program: the message first; engine frames are left out of tspark's own errors. */
export function reportFailure(err: unknown): void {
  if (err instanceof TsparkError) {
    process.stderr.write(`tspark: ${err.message}\n`);
  } else if (err instanceof Error) {
    process.stderr.write(`${err.stack ?? err.message}\n`);
  } else {
    process.stderr.write(`tspark: the program threw ${String(err)}\n`);
  }
}

/**
 * Runs a user program, TypeScript or JavaScript: compiled ahead and kept (compiled-program.ts)
 * when it can be, else transpiled on the fly by tsx (a well-kept loader built on esbuild).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TsparkError } from "../errors.js";
import { compiledProgram } from "./compiled-program.js";

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
  const compiled = await compiledProgram(path);
  if (compiled) {
    // The compiled files carry source maps: the user's errors name the .ts lines, as under
    // tsx. Turned on once the engine is loaded: Node reads the map of every module loaded
    // with them on, and the engine's own frames need no mapping.
    await import("../index.js");
    process.setSourceMapsEnabled(true);
  } else {
    await registerTsx();
  }
  try {
    await import(compiled?.url ?? pathToFileURL(path).href);
    // The program's own `process.exitCode` is its answer (a CI script may fail that way).
    return Number(process.exitCode ?? 0);
  } catch (err) {
    reportFailure(err);
    return 1;
  }
}

/** A failed program: the message first; engine frames are left out of tspark's own errors. */
export function reportFailure(err: unknown): void {
  const compile = compileErrors(err);
  if (compile) {
    process.stderr.write(compile);
  } else if (err instanceof TsparkError) {
    process.stderr.write(`tspark: ${err.message}\n`);
  } else if (err instanceof Error) {
    process.stderr.write(`${err.stack ?? err.message}\n`);
  } else {
    process.stderr.write(`tspark: the program threw ${String(err)}\n`);
  }
}

/**
 * A program that does not compile, said as the compiler's message at the user's line, not as
 * esbuild's internal stack; with how to fix the one users meet first (a CommonJS package).
 * esbuild's structured errors do not survive tsx's loader thread: its message is read.
 */
export function compileErrors(err: unknown): string | undefined {
  if (!(err instanceof Error) || !/^Transform failed with \d+ errors?:/.test(err.message)) return undefined;
  const lines: string[] = [];
  for (const m of err.message.matchAll(/^(.+):(\d+):(\d+): ERROR: (.*)$/gm)) {
    const [, file, line, column, text] = m as unknown as [string, string, string, string, string];
    lines.push(`tspark: cannot compile ${file}:${line}:${Number(column) + 1}: ${text}`);
    const code = sourceLine(file, Number(line));
    if (code !== undefined) lines.push(`    ${code}`, `    ${" ".repeat(Number(column))}^`);
    if (/not supported with the "cjs" output format/.test(text)) {
      lines.push(
        'tspark programs are ES modules (top-level await, import): the nearest package.json makes this file CommonJS ("type": "commonjs" is what npm init writes).',
        'Set "type": "module" there (npm pkg set type=module), or name the file .mts.',
      );
    }
  }
  return lines.length ? `${lines.join("\n")}\n` : undefined;
}

function sourceLine(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, "utf8").split("\n")[line - 1];
  } catch {
    return undefined;
  }
}

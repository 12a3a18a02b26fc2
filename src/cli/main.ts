#!/usr/bin/env node
/**
 * The `tspark` launcher: `tspark [options] app.ts [args...]` runs a TypeScript or JavaScript
 * program (transpiled on the fly by tsx, a well-kept loader built on esbuild) with the
 * launcher's settings handed to the program's SparkContext.
 */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LAUNCHER_ENV } from "../api/spark-conf.js";
import { CONFIG_KEYS } from "../api/config.js";
import { TsparkError } from "../errors.js";
import { VERSION } from "../version.js";

const USAGE = `Usage: tspark [options] <program.ts|program.js> [program arguments...]

Runs a tspark program. Options:
  --master <url>      local, local[N] or local[*] (default: ${CONFIG_KEYS.master.default})
  --name <name>       application name
  --conf <key=value>  a configuration setting (repeatable), e.g. --conf tspark.task.maxFailures=2
  --help              this text
  --version           tspark's version

Settings made in the program's code win over these.`;

/** Launcher options end at the program path; everything after it belongs to the program. */
function splitArgv(argv: string[]): { launcher: string[]; program: string | undefined; programArgs: string[] } {
  const withValue = new Set(["--master", "--name", "--conf"]);
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (!a.startsWith("-")) break;
    i += withValue.has(a) ? 2 : 1;
  }
  return { launcher: argv.slice(0, i), program: argv[i], programArgs: argv.slice(i + 1) };
}

function fail(message: string, code = 2): never {
  process.stderr.write(`tspark: ${message}\n`);
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === "history") return historyCommand(argv.slice(1));
  const { launcher, program, programArgs } = splitArgv(argv);
  let values: { master?: string; name?: string; conf?: string[]; help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: launcher,
      options: {
        master: { type: "string" },
        name: { type: "string" },
        conf: { type: "string", multiple: true },
        help: { type: "boolean" },
        version: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (values.version) {
    process.stdout.write(`tspark ${VERSION}\n`);
    return;
  }
  if (!program) fail(`no program given\n\n${USAGE}`);

  const settings: Record<string, string> = {};
  for (const kv of values.conf ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) fail(`--conf expects key=value, got "${kv}"`);
    settings[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (values.master !== undefined) settings[CONFIG_KEYS.master.key] = values.master;
  if (values.name !== undefined) settings[CONFIG_KEYS.appName.key] = values.name;
  process.env[LAUNCHER_ENV] = JSON.stringify(settings);

  const path = resolve(program);
  if (!existsSync(path)) fail(`program not found: ${program}`);
  process.argv = [process.argv[0]!, path, ...programArgs];

  const esm = await import("tsx/esm/api");
  const cjs = await import("tsx/cjs/api");
  esm.register();
  cjs.register();
  try {
    await import(pathToFileURL(path).href);
  } catch (err) {
    reportFailure(err);
    process.exitCode = 1;
  }
}

/** `tspark history <event log>` (src/cli/history.ts). */
async function historyCommand(args: string[]): Promise<void> {
  const { history } = await import("./history.js");
  await history(args).catch((err: Error) => fail(err.message, err instanceof TsparkError ? 1 : 2));
}

/** A failed program: the message first; engine frames are left out of tspark's own errors. */
function reportFailure(err: unknown): void {
  if (err instanceof TsparkError) {
    process.stderr.write(`tspark: ${err.message}\n`);
  } else if (err instanceof Error) {
    process.stderr.write(`${err.stack ?? err.message}\n`);
  } else {
    process.stderr.write(`tspark: the program threw ${String(err)}\n`);
  }
}

process.on("unhandledRejection", (err) => {
  reportFailure(err);
  process.exit(1);
});

await main(process.argv.slice(2));

#!/usr/bin/env node
/**
 * The `tspark` launcher: `tspark [options] app.ts [args...]` runs a program with the
 * launcher's settings handed to its SparkContext (through LAUNCHER_ENV); `tspark [options]`
 * alone opens the interactive shell. Options and their precedence: launch-options.ts.
 */
import { fileURLToPath } from "node:url";
import { LAUNCHER_ENV, SparkConf } from "../api/spark-conf.js";
import { CONFIG_KEYS } from "../config/keys.js";
import { parseSettings, type Settings } from "../config/settings.js";
import { startStandbyWorkers } from "../backend/standby-workers.js";
import { executorEnv, localWorkerNodeArgs } from "../backend/worker-flags.js";
import { TsparkError } from "../errors.js";
import { VERSION } from "../version.js";
import { parseLaunchArgs, describeSettings, USAGE, type LaunchPlan } from "./launch-options.js";
import { isDriverChild, followParent, relayToDriverChild } from "./driver-heap.js";
import { runProgram, reportFailure } from "./run-program.js";

const CLI = fileURLToPath(import.meta.url);

/** Bad usage: the message, a pointer to --help, exit code 2. */
function usageError(message: string): number {
  process.stderr.write(`tspark: ${message}\nRun 'tspark --help' for the options.\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  // Subcommands (`tspark <word> ...` handled by a module of their own) dispatch here, first.
  if (argv[0] === "history") return historyCommand(argv.slice(1));
  let plan: LaunchPlan;
  try {
    plan = parseLaunchArgs(argv);
  } catch (err) {
    if (err instanceof TsparkError) return usageError(err.message);
    throw err;
  }
  if (plan.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (plan.version) {
    process.stdout.write(`tspark ${VERSION}\n`);
    return 0;
  }
  if (plan.verbose && !isDriverChild()) process.stderr.write(describeSettings(plan));
  const driverMemory = plan.settings.get(CONFIG_KEYS.driverMemory.key);
  if (driverMemory && !isDriverChild()) return relayToDriverChild(CLI, argv, driverMemory.value);
  followParent();

  process.env[LAUNCHER_ENV] = JSON.stringify(Object.fromEntries([...plan.settings].map(([k, s]) => [k, s.value])));
  startWorkersEarly();
  if (plan.program === undefined) {
    const { runShell } = await import("./shell.js");
    try {
      await runShell();
    } catch (err) {
      reportFailure(err); // e.g. a setting the context refuses
      process.exit(1);
    }
    process.exit(0); // the REPL's input stream may still hold the event loop
  }
  process.on("unhandledRejection", (err) => {
    reportFailure(err);
    process.exit(1);
  });
  try {
    return await runProgram(plan.program, plan.programArgs);
  } catch (err) {
    if (err instanceof TsparkError && err.code === "CONFIG") return usageError(err.message);
    throw err;
  }
}

/**
 * Starts the workers the launcher's settings call for now, while the engine loads and the
 * program compiles; the program's context adopts them if its own settings agree
 * (backend/standby-workers.ts).
 */
function startWorkersEarly(): void {
  const conf = new SparkConf();
  let settings: Settings;
  try {
    settings = parseSettings(conf);
  } catch {
    return; // the program's context says what is wrong
  }
  if (settings.master.engine === "local") startStandbyWorkers(settings.master.slots, localWorkerNodeArgs(settings), executorEnv(conf.getAll()));
}

/** `tspark history <event log>` (src/cli/history.ts): serves until Ctrl-C. */
async function historyCommand(args: string[]): Promise<number> {
  const { history } = await import("./history.js");
  try {
    await history(args);
    return 0;
  } catch (err) {
    process.stderr.write(`tspark: ${(err as Error).message}\n`);
    return err instanceof TsparkError ? 1 : 2;
  }
}

process.exitCode = await main(process.argv.slice(2));

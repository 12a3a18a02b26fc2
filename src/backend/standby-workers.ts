/**
 * Worker processes the `tspark` launcher starts before it loads the engine and compiles the
 * program, so that their start-up (node, tspark's worker modules) overlaps the driver's own. A
 * standby worker knows no application yet: it waits for the application's variables (an adopt
 * message, worker/transport/worker-loop.ts). The context's local backend adopts the ones started with the node
 * flags and environment it would give a worker of its own, and the rest are killed then; a
 * program that makes no context leaves them to exit with it (their control channel closes),
 * or they are killed after STANDBY_LIFETIME_MS.
 */
import type { ChildProcess } from "node:child_process";
import { spawnWorker } from "./worker-spawn.js";
import { APPLICATION_ENV, STANDBY_ENV } from "../worker/worker-env.js";

interface Standby {
  child: ChildProcess;
  nodeArgs: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The working directory it started in (task code resolves relative paths against it). */
  cwd: string;
}

/** How long unadopted standby workers live when no context takes them. */
const STANDBY_LIFETIME_MS = 30_000;

const standby: Standby[] = [];
let expiry: NodeJS.Timeout | undefined;

/** Starts `count` standby workers with these node flags, the current environment and `extraEnv`. */
export function startStandbyWorkers(count: number, nodeArgs: readonly string[], extraEnv: Record<string, string> = {}): void {
  const env = { ...process.env, ...extraEnv };
  for (let i = 0; i < count; i++) {
    const child = spawnWorker(nodeArgs, { ...env, [STANDBY_ENV]: "1" });
    const entry: Standby = { child, nodeArgs: [...nodeArgs], env, cwd: process.cwd() };
    const drop = () => {
      const i = standby.indexOf(entry);
      if (i >= 0) standby.splice(i, 1);
    };
    // Until adopted, nothing of theirs may keep the launcher alive (a program with no context exits).
    unreference(child);
    child.on("error", drop); // not started (no pid): no exit event follows
    child.once("exit", drop);
    if (child.pid !== undefined) standby.push(entry);
  }
  if (expiry) clearTimeout(expiry);
  expiry = setTimeout(discardStandbyWorkers, STANDBY_LIFETIME_MS);
  expiry.unref();
}

/**
 * A live standby worker started as a worker with `nodeArgs` and `env` would be now (the same
 * working directory too), and the variables its adopt message must set (null: remove);
 * undefined when there is none. Only the application's own variables may differ: everything
 * else node reads at start must match.
 */
export function takeStandbyWorker(nodeArgs: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; env: Record<string, string | null> } | undefined {
  for (const [i, s] of standby.entries()) {
    if (s.child.exitCode !== null || s.child.signalCode !== null || s.cwd !== process.cwd() || !sameArgs(s.nodeArgs, nodeArgs)) continue;
    const difference = applicationDifference(s.env, env);
    if (difference === undefined) continue;
    standby.splice(i, 1);
    return { child: s.child, env: { ...difference, [STANDBY_ENV]: null } };
  }
  return undefined;
}

/** Kills the standby workers no context took. */
export function discardStandbyWorkers(): void {
  if (expiry) clearTimeout(expiry);
  for (const s of standby.splice(0)) s.child.kill("SIGKILL");
}

/** The pids of the standby workers not adopted (tests). */
export function standbyPids(): number[] {
  return standby.map((s) => s.child.pid ?? -1);
}

function sameArgs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The application variables `wanted` sets or removes against `started`; undefined if any other variable differs. */
function applicationDifference(started: NodeJS.ProcessEnv, wanted: NodeJS.ProcessEnv): Record<string, string | null> | undefined {
  const difference: Record<string, string | null> = {};
  for (const key of new Set([...Object.keys(started), ...Object.keys(wanted)])) {
    if (started[key] === wanted[key]) continue;
    if (!APPLICATION_ENV.includes(key)) return undefined;
    difference[key] = wanted[key] ?? null;
  }
  return difference;
}

function unreference(child: ChildProcess): void {
  for (const h of [child, ...child.stdio] as Array<{ unref?: () => void } | null>) h?.unref?.();
}

/**
 * The master URL (`tspark.master`, `--master`): which engine runs the jobs, and with how many
 * worker slots. Parsed into a discriminated value so that code choosing an engine switches on
 * `engine` instead of matching the text again.
 */
import os from "node:os";
import { TsparkError } from "../errors.js";

/** `local`, `local[N]` or `local[*]`: worker processes on this machine. */
export interface LocalMaster {
  /** Which engine runs the jobs: worker processes of this machine's. */
  readonly engine: "local";
  /** Worker processes (local → 1, local[N] → N, local[*] → the machine's cores). */
  readonly slots: number;
  /** The URL as written, e.g. `local[4]` (shown in the UI and logs). */
  readonly text: string;
}

/** Every master tspark runs on; each kind of engine adds its own member. */
export type MasterUrl = LocalMaster;

/** Parses a master URL; refuses anything but local, local[N] (N ≥ 1) and local[*]. */
export function parseMaster(text: string): MasterUrl {
  const m = /^local(?:\[(\*|\d+)\])?$/.exec(text);
  if (!m) throw new TsparkError("CONFIG", `unsupported master "${text}": use local, local[N] or local[*]`);
  const slots = m[1] === undefined ? 1 : m[1] === "*" ? os.availableParallelism() : Number(m[1]);
  if (slots < 1) throw new TsparkError("CONFIG", `master "${text}" needs at least one worker`);
  return Object.freeze({ engine: "local", slots, text });
}

/** Worker slots for a master URL: local → 1, local[N] → N, local[*] → the machine's cores. */
export function slotsForMaster(master: string): number {
  return parseMaster(master).slots;
}

/**
 * The one place a master URL picks what runs the tasks. Today only the local pool of worker
 * processes (`local`, `local[N]`, `local[*]`); a cluster engine is added here, behind the
 * same ExecutorBackend interface.
 */
import { slotsForMaster } from "../api/context.js";
import type { ExecutorBackend, ExecutorEvents } from "./backend.js";
import { LocalBackend } from "./local-backend.js";

export interface BackendOptions {
  /** Extra node flags for each worker process (heap limit, young generation...). */
  nodeArgs: string[];
  /** The worker processes' environment. */
  env: NodeJS.ProcessEnv;
  /** How long a task waits for the worker holding its cached input before taking any. */
  localityWaitMs: number;
  events: ExecutorEvents;
}

/** Builds the backend for `master`; an unsupported master is refused (slotsForMaster's message). */
export function createBackend(master: string, options: BackendOptions): ExecutorBackend {
  const slots = slotsForMaster(master);
  return new LocalBackend(slots, { nodeArgs: options.nodeArgs, env: options.env }, options.events, options.localityWaitMs);
}

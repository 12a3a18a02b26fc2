/**
 * The one place a master URL picks what runs the tasks. Today only the local pool of worker
 * processes (`local`, `local[N]`, `local[*]`); a cluster engine is added here, behind the
 * same ExecutorBackend interface.
 */
import type { MasterUrl } from "../config/master.js";
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

/** Builds the backend for a parsed master URL (parseMaster refused any other). */
export function createBackend(master: MasterUrl, options: BackendOptions): ExecutorBackend {
  switch (master.engine) {
    case "local":
      return new LocalBackend(master.slots, { nodeArgs: options.nodeArgs, env: options.env }, options.events, options.localityWaitMs);
  }
}

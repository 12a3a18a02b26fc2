/**
 * The one place a master URL picks the local worker processes that run tasks: a pool of
 * them for tspark's own engine (`local`, `local[N]`, `local[*]`), none when Spark runs the
 * jobs (its executors start tspark's worker themselves).
 */
import type { MasterUrl } from "../config/master.js";
import type { ExecutorBackend, ExecutorEvents, ResultLimit } from "./backend.js";
import { LocalBackend } from "./local-backend.js";

export interface BackendOptions {
  /** Extra node flags for each worker process (heap limit, young generation...). */
  nodeArgs: string[];
  /** The worker processes' environment. */
  env: NodeJS.ProcessEnv;
  /** How long a task waits for the worker holding its cached input before taking any. */
  localityWaitMs: number;
  /** How long a worker may send no heartbeat before it is killed. */
  heartbeatTimeoutMs: number;
  events: ExecutorEvents;
  /** The limit on the results one action brings to the driver (tspark.driver.maxResultSize, the driver's heap). */
  resultLimit: ResultLimit;
}

/** Builds the backend for a parsed master URL (parseMaster refused any other). */
export function createBackend(master: MasterUrl, options: BackendOptions): ExecutorBackend {
  // On Spark, Spark's executors start tspark's workers (spark/driver/spark-jobs.ts): no local worker processes.
  const slots = master.engine === "local" ? master.slots : 0;
  return new LocalBackend(slots, { nodeArgs: options.nodeArgs, env: options.env, heartbeatTimeoutMs: options.heartbeatTimeoutMs }, options.events, options.localityWaitMs, options.resultLimit);
}

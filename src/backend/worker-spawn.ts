/**
 * How a worker process of tspark's engine is started: node running worker-main with the
 * control channel (fd 3) and heartbeat pipe (fd 4) beside stdout and stderr. Kept apart from
 * worker-process.ts so the launcher can start workers before it loads the engine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WORKER_ENV } from "../worker/worker-env.js";

const WORKER_MAIN = fileURLToPath(new URL("../worker/transport/worker-main.js", import.meta.url));

export function spawnWorker(nodeArgs: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, WORKER_MAIN], {
    stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
    env: { ...env, [WORKER_ENV]: "1" },
  });
}

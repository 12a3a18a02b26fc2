/**
 * A worker must die with its driver even while user code hogs its main thread (a busy
 * loop never returns to the event loop that would see the control channel close). A
 * watchdog thread polls the parent pid; once orphaned (the driver was killed, so its own
 * cleanup never ran) it removes the application's temporary directory and kills this
 * process. At each poll it also writes the driver a heartbeat (a byte on HEARTBEAT_FD): a
 * busy task does not stop it; a stopped or hung process does.
 */
import { Worker } from "node:worker_threads";
import { rmSync } from "node:fs";

const WATCHDOG_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
parentPort.on("message", (appDir) => { workerData.appDir = appDir; });
const { rmSync, writeSync } = require("node:fs");
const beat = Buffer.of(1);
setInterval(() => {
  if (process.ppid === workerData.parent) {
    try { writeSync(workerData.heartbeatFd, beat); } catch {}
    return;
  }
  if (workerData.appDir) {
    try { rmSync(workerData.appDir, { recursive: true, force: true, maxRetries: 3 }); } catch {}
  }
  process.kill(workerData.self, "SIGKILL");
}, workerData.intervalMs);
`;

export interface OrphanWatchdog {
  /** The application's directory to remove once orphaned (a standby worker learns it when adopted). */
  setAppDir(appDir: string | undefined): void;
}

export function startOrphanWatchdog(appDir: string | undefined, heartbeatFd: number, intervalMs: number): OrphanWatchdog {
  const w = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { parent: process.ppid, self: process.pid, appDir, heartbeatFd, intervalMs } });
  w.unref();
  return { setAppDir: (dir) => w.postMessage(dir) };
}

/**
 * The control channel closed without a shutdown message: the driver died (an idle worker
 * sees this before its watchdog does), so its own cleanup never ran. Removes the
 * application's temporary directory, then exits.
 */
export function exitOrphaned(appDir: string | undefined): never {
  if (appDir) {
    try {
      rmSync(appDir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* another worker may be removing it too */
    }
  }
  process.exit(0);
}

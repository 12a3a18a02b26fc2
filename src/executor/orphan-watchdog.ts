/**
 * A worker must die with its driver even while user code hogs its main thread (a busy
 * loop never returns to the event loop that would see the control channel close). A
 * watchdog thread polls the parent pid and kills this process once it is orphaned.
 */
import { Worker } from "node:worker_threads";

const WATCHDOG_SOURCE = `
const { workerData } = require("node:worker_threads");
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(workerData.self, "SIGKILL");
}, workerData.intervalMs);
`;

export function startOrphanWatchdog(intervalMs = 250): void {
  const w = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { parent: process.ppid, self: process.pid, intervalMs } });
  w.unref();
}

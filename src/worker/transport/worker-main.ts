/**
 * Entry point of a worker process of the local pool. The orphan watchdog's thread starts
 * first, before the worker's modules load: it then boots while they do, and is up by the
 * time a task or a shutdown comes (a process cannot exit while that thread is still booting,
 * which held a short program's end back by tens of milliseconds). Then the message loop
 * (worker-loop.ts) serves the driver.
 */
import { startOrphanWatchdog } from "./orphan-watchdog.js";
import { HEARTBEAT_FD, HEARTBEAT_MS } from "./protocol.js";
import { LOCAL_DIR_ENV, STANDBY_ENV } from "../worker-env.js";

// A standby worker (started by the launcher before its application was known) learns the
// application's variables, its directory among them, from its first message; any other has
// them in its environment.
const standby = process.env[STANDBY_ENV] === "1";
const appDir = standby ? undefined : process.env[LOCAL_DIR_ENV];
const watchdog = startOrphanWatchdog(appDir, HEARTBEAT_FD, HEARTBEAT_MS);
const { serveDriver } = await import("./worker-loop.js");
serveDriver(watchdog, standby, appDir);

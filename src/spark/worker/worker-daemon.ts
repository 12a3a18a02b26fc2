/**
 * tspark's stand-in for PySpark's daemon.py: what Spark's executors run, once each, when
 * `spark.python.use.daemon` is on (Spark's default), so that workers outlive their tasks.
 *
 * The JVM reads the daemon's port from its stdout and connects to it for each worker it
 * needs. Node cannot fork, so the daemon keeps one worker process started and waiting, hands
 * it the connection over IPC (unread: the server pauses new connections), and starts the next.
 * The worker says its own pid (Spark 4 looks it up and may kill it), checks the secret and
 * then serves task after task on that connection (serveExecutor), which is Spark's worker
 * reuse. The JVM asks for a worker to be killed by writing its pid to our stdin, and closes
 * stdin (or sends SIGTERM) to stop the daemon, which then kills every worker it started.
 */
import { fork, type ChildProcess } from "node:child_process";
import net from "node:net";
import { acceptExecutor, loopbackHost } from "./executor-connection.js";

/** The argument the daemon starts its workers with (they run the launcher too, so `pgrep -f launcher.js` finds every tspark process on an executor). */
export const DAEMON_WORKER_ARG = "--tspark-daemon-worker";

/** What a daemon's worker sends when it is ready for a connection. */
const READY = "ready";
/** What the daemon sends with a connection's handle. */
const CONNECTION = "connection";

export async function runWorkerDaemon(launcher: string, env: NodeJS.ProcessEnv): Promise<void> {
  const workers = new Map<number, ChildProcess>();
  let stopping = false;

  const startWorker = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      // The daemon's own Node flags (a permission model, heap limits) apply to its workers too.
      const child = fork(launcher, [DAEMON_WORKER_ARG], { stdio: ["ignore", "inherit", "inherit", "ipc"], env });
      const pid = child.pid;
      if (pid !== undefined) workers.set(pid, child);
      // After it is ready too: an error (its channel gone) must not bring the daemon down.
      child.on("error", reject);
      child.once("exit", (code, signal) => {
        if (pid !== undefined) workers.delete(pid);
        reject(new Error(`tspark's worker exited (${signal ?? `code ${code}`}) before it was ready`));
      });
      child.once("message", (m) => (m === READY ? resolve(child) : reject(new Error(`unexpected message from a worker: ${JSON.stringify(m)}`))));
    });

  let spare = startWorker();
  spare.catch(() => {});

  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    const next = spare;
    spare = startWorker();
    spare.catch(() => {});
    next.then(
      // A worker gone since it said it was ready: the JVM sees the connection close and retries the task.
      (child) => child.send(CONNECTION, socket, (err) => (err ? socket.destroy() : undefined)),
      (err: Error) => {
        // A negative pid tells the JVM the worker could not be launched; the reason goes to its log.
        process.stderr.write(`tspark's worker daemon could not start a worker: ${err.message}\n`);
        const refusal = Buffer.alloc(4);
        refusal.writeInt32BE(-1);
        socket.end(refusal);
      },
    );
  });

  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    server.close();
    for (const child of workers.values()) child.kill("SIGKILL");
    process.exit(code);
  };
  process.once("SIGTERM", () => stop(1));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, loopbackHost(env), resolve);
  });
  const port = Buffer.alloc(4);
  port.writeInt32BE((server.address() as net.AddressInfo).port);
  process.stdout.write(port);

  // Our stdin: int32 pids of workers to kill; its end means the executor is gone.
  let pending = Buffer.alloc(0);
  process.stdin.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (; pending.length >= 4; pending = pending.subarray(4)) workers.get(pending.readInt32BE(0))?.kill("SIGKILL");
  });
  process.stdin.on("end", () => stop(0));
  process.stdin.on("error", () => stop(1));
}

/**
 * A daemon's worker: waits for the connection the daemon hands it, then serves the executor
 * on it until the executor closes it. Leaves when the daemon does, once its task is done.
 */
export async function serveDaemonConnection(env: NodeJS.ProcessEnv): Promise<void> {
  // Loaded before saying it is ready: the connection then waits on nothing.
  const { serveExecutor } = await import("./run-spark-task.js");
  const socket = await new Promise<net.Socket>((resolve) => {
    const onMessage = (m: unknown, handle: unknown): void => {
      if (m !== CONNECTION || !(handle instanceof net.Socket)) return;
      process.off("message", onMessage);
      resolve(handle);
    };
    process.on("message", onMessage);
    process.once("disconnect", () => process.exit(0));
    process.send?.(READY);
  });
  const connection = await acceptExecutor(socket, env);
  if (!connection) process.exit(1);
  process.removeAllListeners("disconnect");
  process.once("disconnect", () => {
    connection.retiring = true;
    if (connection.waiting) socket.destroy();
  });
  const code = await serveExecutor(connection, env);
  process.exit(code);
}

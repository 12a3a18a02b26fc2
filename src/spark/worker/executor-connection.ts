/**
 * The worker's side of its connection to the executor's JVM (PythonWorkerFactory), made one
 * of two ways: in direct mode the worker connects back to the port the JVM listens on, proves
 * the secret and says its pid; through tspark's daemon (worker-daemon.ts) the worker is handed
 * a connection the JVM made, says its pid and checks the secret the JVM proves.
 */
import net from "node:net";
import { WireReader, WireWriter } from "../wire/wire.js";
import { authenticateTo, checkExecutorSecret, writePid } from "../wire/handshake.js";
import { TsparkError } from "../../errors.js";

export interface ExecutorConnection {
  socket: net.Socket;
  reader: WireReader;
  writer: WireWriter;
  /** When this process started (ms since the epoch): the task's "boot" time. */
  bootTime: number;
  /** True while the worker waits for the executor's next task. */
  waiting?: boolean;
  /** Set when the worker must stop after its current task (its daemon is gone). */
  retiring?: boolean;
}

function secretOf(env: NodeJS.ProcessEnv): string {
  const secret = env["PYTHON_WORKER_FACTORY_SECRET"];
  if (secret === undefined) throw new TsparkError("PROTOCOL", "tspark's Spark worker runs only under a Spark executor (PYTHON_WORKER_FACTORY_SECRET is not set)");
  return secret;
}

/** The loopback address Spark's sockets use: IPv6 if Spark prefers it. */
export function loopbackHost(env: NodeJS.ProcessEnv): string {
  return env["SPARK_PREFER_IPV6"]?.toLowerCase() === "true" ? "::1" : "127.0.0.1";
}

/** A connection to a port the executor's JVM listens on. */
export async function connectLoopback(port: number, env: NodeJS.ProcessEnv): Promise<net.Socket> {
  const socket = net.connect(port, loopbackHost(env));
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

export async function connectToExecutor(env: NodeJS.ProcessEnv): Promise<ExecutorConnection> {
  const bootTime = Math.round(performance.timeOrigin);
  const port = Number(env["PYTHON_WORKER_FACTORY_PORT"]);
  const secret = secretOf(env);
  if (!Number.isInteger(port) || port <= 0) {
    throw new TsparkError("PROTOCOL", "tspark's Spark worker runs only under a Spark executor (PYTHON_WORKER_FACTORY_PORT is not set)");
  }
  const socket = await connectLoopback(port, env);
  const reader = new WireReader(socket);
  const writer = new WireWriter(socket);
  await authenticateTo(reader, writer, secret);
  writePid(writer);
  await writer.flush();
  return { socket, reader, writer, bootTime };
}

/**
 * A daemon's worker takes the connection the JVM made to the daemon: says its pid, then checks
 * the secret. Resolves to undefined (and closes the socket) if the secret is wrong.
 */
export async function acceptExecutor(socket: net.Socket, env: NodeJS.ProcessEnv): Promise<ExecutorConnection | undefined> {
  const bootTime = Math.round(performance.timeOrigin);
  socket.setNoDelay(true);
  const reader = new WireReader(socket);
  const writer = new WireWriter(socket);
  socket.resume();
  writePid(writer);
  await writer.flush();
  if (!(await checkExecutorSecret(reader, writer, secretOf(env)))) {
    socket.end();
    return undefined;
  }
  return { socket, reader, writer, bootTime };
}

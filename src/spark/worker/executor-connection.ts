/**
 * The worker's side of Spark's connect-back (PythonWorkerFactory, direct mode): connect to
 * the port the executor's JVM listens on, prove the secret, say our pid.
 */
import net from "node:net";
import { WireReader, WireWriter } from "../wire/wire.js";
import { authenticateTo } from "../wire/handshake.js";
import { TsparkError } from "../../errors.js";

export interface ExecutorConnection {
  socket: net.Socket;
  reader: WireReader;
  writer: WireWriter;
  /** When this process started (ms since the epoch): the task's "boot" time. */
  bootTime: number;
}

export async function connectToExecutor(env: NodeJS.ProcessEnv): Promise<ExecutorConnection> {
  const bootTime = Math.round(performance.timeOrigin);
  const port = Number(env["PYTHON_WORKER_FACTORY_PORT"]);
  const secret = env["PYTHON_WORKER_FACTORY_SECRET"];
  if (!Number.isInteger(port) || port <= 0 || secret === undefined) {
    throw new TsparkError("PROTOCOL", "tspark's Spark worker runs only under a Spark executor (PYTHON_WORKER_FACTORY_PORT and _SECRET are not set)");
  }
  const host = env["SPARK_PREFER_IPV6"]?.toLowerCase() === "true" ? "::1" : "127.0.0.1";
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const reader = new WireReader(socket);
  const writer = new WireWriter(socket);
  await authenticateTo(reader, writer, secret);
  writer.int32(process.pid);
  await writer.flush();
  return { socket, reader, writer, bootTime };
}

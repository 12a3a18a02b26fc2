/**
 * BarrierTaskContext's calls in a barrier task on Spark (rdd.barrier()): each call is a
 * connection to the server Spark's PythonRunner opens for the task (PySpark's
 * _load_from_socket), which answers once every task of the stage has made the same call:
 *
 * | dir | bytes |
 * |---|---|
 * | W→J | str secret, then J→W str "ok" (as at the worker's start, handshake.ts) |
 * | W→J | int32 2 (allGather), str message |
 * | J→W | int32 n, then n × str: every task's message, in partition order |
 *
 * barrier() is an allGather of "" on every engine (barrier.ts), so tasks always make the
 * same kind of call, as Spark requires.
 */
import { BarrierClient } from "../../worker/barrier-client.js";
import { TsparkError } from "../../errors.js";
import { authenticateTo } from "../wire/handshake.js";
import { WireReader, WireWriter } from "../wire/wire.js";
import { connectLoopback } from "./executor-connection.js";

/** Spark's BarrierTaskContextMessageProtocol.ALL_GATHER_FUNCTION. */
const ALL_GATHER_FUNCTION = 2;

async function allGather(port: number, secret: string, message: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const socket = await connectLoopback(port, env);
  try {
    const reader = new WireReader(socket);
    const writer = new WireWriter(socket);
    await authenticateTo(reader, writer, secret);
    writer.int32(ALL_GATHER_FUNCTION).string(message);
    await writer.flush();
    const n = await reader.readInt32();
    const messages: string[] = [];
    for (let i = 0; i < n; i++) messages.push(await reader.readString());
    return messages;
  } finally {
    socket.destroy();
  }
}

/** The barrier client of a barrier task whose header names the JVM's server (`connInfo`: its port) and secret. */
export function jvmBarrierClient(connInfo: number | string | null, secret: string, env: NodeJS.ProcessEnv): BarrierClient {
  const client: BarrierClient = new BarrierClient((request) => {
    const answer = typeof connInfo === "number" && connInfo > 0
      ? allGather(connInfo, secret, request.message, env)
      : Promise.reject(new TsparkError("PROTOCOL", `Spark gave the barrier task no port to coordinate through (${JSON.stringify(connInfo)})`));
    answer.then(
      (messages) => client.deliverReply(request.requestId, messages, undefined),
      (err: Error) => client.deliverReply(request.requestId, undefined, `the barrier call through Spark failed: ${err.message}`),
    );
  });
  return client;
}

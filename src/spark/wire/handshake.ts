/**
 * The first bytes on a worker's socket (Spark's SocketAuthHelper; PySpark's
 * local_connect_and_auth and get_sock_file_to_executor), the same in 3.5 and 4.3:
 *
 * | dir | bytes |
 * |---|---|
 * | W→J | str secret (PYTHON_WORKER_FACTORY_SECRET); skipped over a Unix domain socket |
 * | J→W | str "ok", or "err" and the JVM closes the socket |
 * | W→J | int32 the worker's pid (a live one: 4.x looks it up) |
 *
 * A worker started through a daemon (PySpark's daemon.py; worker/worker-daemon.ts) is the
 * server instead: the JVM connects to the daemon and the worker that gets the connection says
 * its pid first, then the JVM proves the secret:
 *
 * | dir | bytes |
 * |---|---|
 * | W→J | int32 the worker's pid |
 * | J→W | str secret |
 * | W→J | str "ok", or "err" and the worker closes the socket |
 *
 * Then the JVM sends the task header (task-header.ts), and after each clean end of a task
 * (answerEndOfStream) another one on the same socket, until it closes it.
 */
import { WireProtocolError, type WireReader, type WireWriter } from "./wire.js";

/** Proves the secret to the JVM: writes it, flushes, and expects "ok" back. Throws a WireProtocolError otherwise. */
export async function authenticateTo(r: WireReader, w: WireWriter, secret: string): Promise<void> {
  w.string(secret);
  await w.flush();
  let reply: string;
  try {
    reply = await r.readString();
  } catch (e) {
    throw new WireProtocolError("the executor closed the connection during authentication (wrong PYTHON_WORKER_FACTORY_SECRET?)", { cause: e });
  }
  if (reply !== "ok") throw new WireProtocolError(`the executor refused the worker's secret (it answered ${JSON.stringify(reply)})`);
}

/** Tells the JVM the worker's pid (it must be this live process's, or one it may kill). Does not flush. */
export function writePid(w: WireWriter, pid: number = process.pid): void {
  w.int32(pid);
}

/** The JVM's side of the handshake (for tests and fake executors): checks the secret, answers, reads the pid. */
export async function acceptWorker(r: WireReader, w: WireWriter, secret: string): Promise<{ pid: number }> {
  const got = await r.readString();
  if (got !== secret) {
    w.string("err");
    await w.flush();
    throw new WireProtocolError("a worker presented the wrong secret");
  }
  w.string("ok");
  await w.flush();
  return { pid: await r.readInt32() };
}

/** A daemon's worker's side: checks the secret the JVM sends and answers "ok" or "err". Resolves to whether it matched. Flushes. */
export async function checkExecutorSecret(r: WireReader, w: WireWriter, secret: string): Promise<boolean> {
  const got = await r.readString();
  const ok = got === secret;
  w.string(ok ? "ok" : "err");
  await w.flush();
  return ok;
}

/** The JVM's side with a daemon's worker (for tests and fake executors): reads the pid, proves the secret. */
export async function connectToDaemonWorker(r: WireReader, w: WireWriter, secret: string): Promise<{ pid: number }> {
  const pid = await r.readInt32();
  w.string(secret);
  await w.flush();
  const reply = await r.readString();
  if (reply !== "ok") throw new WireProtocolError(`the daemon's worker refused the secret (it answered ${JSON.stringify(reply)})`);
  return { pid };
}

/**
 * Building Spark's JVM RDDs for a tspark job through the gateway, with the JVM classes
 * PySpark itself uses (org.apache.spark.api.python): records reach the JVM as frames
 * (readRDDFromFile), tspark's functions run as a PythonRDD whose executable is tspark's
 * worker, and results come back over a one-time socket (collectAndServe).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import type { JavaObject, JvmCalls, Py4JClient } from "../py4j/py4j-client.js";
import type { SparkMinor } from "../gateway/spark-home.js";
import { TsparkError } from "../../errors.js";
import { WireReader, WireWriter, WireEOFError } from "../wire/wire.js";
import { authenticateTo } from "../wire/handshake.js";
import { PROFILE_ENV } from "../task-command.js";


/** Frames as readRDDFromFile reads them: an int32 length, then the bytes, each. */
export function framesFile(frames: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const f of frames) {
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(f.length);
    out.push(len, f);
  }
  return Buffer.concat(out);
}

/** A JavaRDD<byte[]> of `frames` in `numSlices` partitions (the file is read eagerly, then removed). */
export async function parallelizeFrames(client: Py4JClient, jsc: JavaObject, frames: readonly Buffer[], numSlices: number): Promise<JavaObject> {
  const dir = mkdtempSync(join(os.tmpdir(), "tspark-parallelize-"));
  try {
    const path = join(dir, "frames");
    writeFileSync(path, framesFile(frames));
    return (await client.callStatic("org.apache.spark.api.python.PythonRDD", "readRDDFromFile", jsc, path, numSlices)) as JavaObject;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Spark broadcast of a file's bytes (PySpark's PythonBroadcast): each task is told its executor's copy. */
export async function broadcastFile(client: Py4JClient, jsc: JavaObject, path: string): Promise<{ object: JavaObject; sparkId: number }> {
  const object = (await jsc.call("broadcast", await client.construct("org.apache.spark.api.python.PythonBroadcast", path))) as JavaObject;
  return { object, sparkId: Number(await object.call("id")) };
}

export interface WorkerFunction {
  /** tspark's command frame (spark/task-command.ts). */
  command: Buffer;
  /** The worker executable at the same path on every executor. */
  workerExec: string;
  minor: SparkMinor;
  /** Environment for the worker processes (besides the profile). */
  env?: Record<string, string>;
  /** Spark broadcasts (of PythonBroadcast values) the tasks receive. */
  broadcasts?: readonly JavaObject[];
  /** The PythonAccumulatorV2 the tasks' accumulator additions go to (accumulator-server.ts). */
  accumulator?: JavaObject;
  /** Whether the RDD is a barrier stage's. */
  barrier?: boolean;
}

/** `parent` (a JavaRDD) mapped partition by partition by tspark's worker running `fn.command`. */
export async function workerRdd(client: Py4JClient, parent: JavaObject, fn: WorkerFunction): Promise<JavaObject> {
  const env = await client.construct("java.util.HashMap");
  for (const [k, v] of Object.entries({ ...fn.env, [PROFILE_ENV]: fn.minor })) await env.call("put", k, v);
  const includes = await client.construct("java.util.ArrayList");
  const broadcasts = await client.construct("java.util.ArrayList");
  for (const b of fn.broadcasts ?? []) await broadcasts.call("add", b);
  // pythonVer is the worker's compatibility tag (PySpark checks it against its interpreter).
  const func = await client.construct("org.apache.spark.api.python.SimplePythonFunction", fn.command, env, includes, fn.workerExec, `tspark/${fn.minor}`, broadcasts, fn.accumulator ?? null);
  const rdd = await parent.call("rdd");
  // A barrier stage's RDD (rdd.barrier()): Spark starts its tasks together and coordinates their BarrierTaskContext calls.
  const pythonRdd = await client.construct("org.apache.spark.api.python.PythonRDD", rdd as JavaObject, func, false, fn.barrier === true);
  return (await pythonRdd.call("asJavaRDD")) as JavaObject;
}

/**
 * Runs `jrdd` (a JavaRDD<byte[]>) and returns the frames of its partitions, in order: every
 * partition, or those listed (in the order listed). The job is submitted from the thread of
 * `client`'s calls (its local properties are the job's).
 */
export async function collectFrames(client: JvmCalls, jrdd: JavaObject, partitions?: readonly number[]): Promise<Buffer[]> {
  const rdd = (await jrdd.call("rdd")) as JavaObject;
  let info: JavaObject;
  if (partitions) {
    const list = await client.construct("java.util.ArrayList");
    for (const p of partitions) await list.call("add", p);
    info = (await client.callStatic("org.apache.spark.api.python.PythonRDD", "runJob", await rdd.call("context"), jrdd, list)) as JavaObject;
  } else {
    info = (await client.callStatic("org.apache.spark.api.python.PythonRDD", "collectAndServe", rdd)) as JavaObject;
  }
  const port = await client.arrayItem(info, 0);
  const secret = await client.arrayItem(info, 1);
  if (typeof port !== "number" || typeof secret !== "string") throw new TsparkError("PROTOCOL", "the JVM answered without a port and secret to read the results from");
  return readServedFrames(port, secret);
}

/** Connects to a JVM serving socket, authenticates, and reads frames until it closes. */
async function readServedFrames(port: number, secret: string): Promise<Buffer[]> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  try {
    const reader = new WireReader(socket);
    await authenticateTo(reader, new WireWriter(socket), secret);
    const out: Buffer[] = [];
    for (;;) {
      let frames: Awaited<ReturnType<WireReader["readFrames"]>>;
      try {
        frames = await reader.readFrames(1 << 16);
      } catch (err) {
        // The server closes the socket after the last frame.
        if (err instanceof WireEOFError && reader.buffered === 0) return out;
        throw err;
      }
      if (typeof frames === "number") throw new TsparkError("PROTOCOL", `unexpected length ${frames} from the JVM's result socket`);
      // Frames are views of the receive buffer: copied, as they outlive it.
      for (const f of frames) out.push(f === null ? Buffer.alloc(0) : Buffer.from(f));
    }
  } finally {
    socket.destroy();
  }
}

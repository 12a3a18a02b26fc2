/**
 * What the executor's JVM sends a PySpark worker before a task's records (the task header) and
 * what it expects after them (the reply trailer), for each Spark line tspark speaks.
 *
 * Settled by the golden transcripts in test/fixtures/spark-transcripts (real Spark 3.5.9 and
 * 4.3.0, NON_UDF tasks, direct workers), against SPARK-BACKEND.md §2/§12's [verify] items:
 * - START_OF_INIT_MESSAGE is -8 in 4.3.0 (pyspark/serializers.py, and the transcripts). The JVM
 *   sends int32 -8, int32 length, then fields 1–11 inside exactly that many bytes; the data
 *   section follows unframed, as before.
 * - 4.3.0 task context is one str of JSON after pythonVer, replacing the barrier block and
 *   fields 4–6: keys secret, stageId, isBarrier, partitionId, connInfo, attemptNumber,
 *   localProperties (object of strings), cpuAmount (a decimal string, "1"), taskAttemptId,
 *   resources (object of {name, addresses}), cpus. A non-barrier task still carries a 64-hex
 *   "secret" (the runner's barrier auth secret) and connInfo -1.
 * - 4.3.0 sends the runner conf (int32 count + pairs) and then an eval conf (int32 count +
 *   pairs) after evalType, both empty for an RDD task.
 * - 4.3.0 timing trailer: -3 then 4 longs (boot, init, finish epoch ms, then processing ms),
 *   then the 2 spill longs; 3.5.9: -3, 3 longs, 2 spill longs. Both JVMs accepted these.
 * - 3.5.9 barrier block for a non-barrier task: bool false, int32 0, str "".
 * - Handshake in both: W→J str secret, J→W str "ok", W→J int32 pid; the "ok" is the first
 *   J→W bytes, the header follows at once.
 * - Both send a new broadcast as int64 id + str path (no decryption server by default), and
 *   end the input with -1 then -4; the worker answers -4 with -4.
 * - A `textFile` line is one UTF-8 frame (an empty line is a 0-length frame); `parallelize`
 *   data arrives as PySpark's pickled batches, one frame per batch.
 */
import type { SparkMinor } from "../gateway/spark-home.js";
import { SpecialLength, WireProtocolError, WireReader, WireWriter } from "../wire/wire.js";

export type { SparkMinor };

/** A broadcast the worker must load (id, and its file unless a decryption server serves it) or drop. */
export type BroadcastEntry = { id: bigint; path?: string } | { dropId: bigint };

export interface ResourceInfo {
  name: string;
  addresses: string[];
}

/** Where to fetch broadcast values when Spark encrypts them (`spark.io.encryption.enabled`). */
export type BroadcastServer = { port: number; secret: string } | { socketPath: string };

export interface TaskHeader {
  partitionIndex: number;
  /** The driver's chosen version tag (PySpark: the driver's Python "major.minor"). */
  pythonVer: string;
  isBarrier: boolean;
  /** Barrier coordinator: 3.5 the bound port (0 when not barrier); 4.3 connInfo (-1 when not barrier, or a UDS path). */
  barrierConnInfo: number | string | null;
  /** Barrier auth secret ("" in 3.5 when not barrier). */
  barrierSecret: string;
  stageId: number;
  partitionId: number;
  attemptNumber: number;
  taskAttemptId: bigint;
  cpus: number;
  /** 4.3 only: the task's CPU amount as a decimal string (e.g. "1"). */
  cpuAmount: string | undefined;
  resources: Map<string, ResourceInfo>;
  localProperties: Map<string, string>;
  sparkFilesDir: string;
  /** File names relative to sparkFilesDir (PySpark's --py-files). */
  includes: string[];
  broadcastServer: BroadcastServer | null;
  /** Only the difference against what this worker already holds. */
  broadcasts: BroadcastEntry[];
  /** 0 (NON_UDF) for RDD tasks. */
  evalType: number;
  /** 4.3 only (empty in 3.5). */
  runnerConf: Map<string, string>;
  /** 4.3 only (empty in 3.5). */
  evalConf: Map<string, string>;
  /** The command frame: opaque to Spark (PySpark's pickled function; tspark's own command). */
  command: Buffer;
  /** 4.3 only: the task context exactly as sent (a JSON object). */
  taskContextJson: string | undefined;
}

/** Reads a task header (the bytes after the handshake, up to the first data frame). */
export async function readTaskHeader(r: WireReader, minor: SparkMinor): Promise<TaskHeader> {
  if (minor === "3.5") return readHeader35(r);
  const marker = await r.readInt32();
  if (marker !== SpecialLength.START_OF_INIT_MESSAGE) {
    throw new WireProtocolError(`expected START_OF_INIT_MESSAGE (${SpecialLength.START_OF_INIT_MESSAGE}) before the task header, got ${marker}: is the executor's Spark a 4.3 release?`);
  }
  const length = await r.readInt32();
  if (length < 0) throw new WireProtocolError(`negative init message length ${length}`);
  const msg = WireReader.fromBuffer(await r.readBytes(length));
  let header: TaskHeader;
  try {
    header = await readHeader43(msg);
  } catch (e) {
    throw new WireProtocolError(`the task header does not parse as Spark 4.3's: ${(e as Error).message}`, { cause: e });
  }
  if (msg.buffered !== 0) throw new WireProtocolError(`the task header left ${msg.buffered} of ${length} bytes unread: not Spark 4.3's layout`);
  return header;
}

async function readHeader35(r: WireReader): Promise<TaskHeader> {
  const partitionIndex = await r.readInt32();
  const pythonVer = await r.readString();
  const isBarrier = await r.readBool();
  const barrierConnInfo = await r.readInt32();
  const barrierSecret = await r.readString();
  const stageId = await r.readInt32();
  const partitionId = await r.readInt32();
  const attemptNumber = await r.readInt32();
  const taskAttemptId = await r.readInt64();
  const cpus = await r.readInt32();
  const resources = new Map<string, ResourceInfo>();
  for (let i = await count(r, "resources"); i > 0; i--) {
    const key = await r.readString();
    const name = await r.readString();
    const addresses: string[] = [];
    for (let j = await count(r, "resource addresses"); j > 0; j--) addresses.push(await r.readString());
    resources.set(key, { name, addresses });
  }
  const localProperties = await readPairs(r, "local properties");
  const { sparkFilesDir, includes } = await readFiles(r);
  const { broadcastServer, broadcasts } = await readBroadcasts(r, false);
  const evalType = await r.readInt32();
  const command = await readCommand(r);
  return {
    partitionIndex, pythonVer, isBarrier, barrierConnInfo, barrierSecret, stageId, partitionId, attemptNumber, taskAttemptId, cpus,
    cpuAmount: undefined, resources, localProperties, sparkFilesDir, includes, broadcastServer, broadcasts, evalType,
    runnerConf: new Map(), evalConf: new Map(), command, taskContextJson: undefined,
  };
}

async function readHeader43(r: WireReader): Promise<TaskHeader> {
  const partitionIndex = await r.readInt32();
  const pythonVer = await r.readString();
  const taskContextJson = await r.readString();
  const ctx = parseTaskContext(taskContextJson);
  const { sparkFilesDir, includes } = await readFiles(r);
  const { broadcastServer, broadcasts } = await readBroadcasts(r, true);
  const evalType = await r.readInt32();
  const runnerConf = await readPairs(r, "runner conf");
  const evalConf = await readPairs(r, "eval conf");
  const command = await readCommand(r);
  return { partitionIndex, pythonVer, ...ctx, sparkFilesDir, includes, broadcastServer, broadcasts, evalType, runnerConf, evalConf, command, taskContextJson };
}

type TaskContextFields = Pick<
  TaskHeader,
  "isBarrier" | "barrierConnInfo" | "barrierSecret" | "stageId" | "partitionId" | "attemptNumber" | "taskAttemptId" | "cpus" | "cpuAmount" | "resources" | "localProperties"
>;

function parseTaskContext(json: string): TaskContextFields {
  const o = JSON.parse(json) as Record<string, unknown>;
  const int = (k: string): number => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isInteger(v)) throw new WireProtocolError(`task context ${k} is ${JSON.stringify(v)}, not an integer`);
    return v;
  };
  const strMap = (k: string): Map<string, string> => {
    const v = o[k] ?? {};
    if (typeof v !== "object" || v === null) throw new WireProtocolError(`task context ${k} is not an object`);
    return new Map(Object.entries(v as Record<string, unknown>).map(([key, val]) => [key, String(val)]));
  };
  // A long beyond 2^53 loses digits in JSON.parse: take those from the text.
  let taskAttemptId: bigint;
  const tid = o["taskAttemptId"];
  if (typeof tid === "number" && Number.isSafeInteger(tid)) taskAttemptId = BigInt(tid);
  else {
    const m = /"taskAttemptId"\s*:\s*(-?\d+)/.exec(json);
    if (!m) throw new WireProtocolError("task context has no taskAttemptId");
    taskAttemptId = BigInt(m[1]!);
  }
  const resources = new Map<string, ResourceInfo>();
  for (const [key, v] of Object.entries((o["resources"] ?? {}) as Record<string, { name?: unknown; addresses?: unknown }>)) {
    resources.set(key, { name: String(v.name), addresses: Array.isArray(v.addresses) ? v.addresses.map(String) : [] });
  }
  const conn = o["connInfo"];
  const secret = o["secret"];
  return {
    isBarrier: o["isBarrier"] === true,
    barrierConnInfo: typeof conn === "number" || typeof conn === "string" ? conn : null,
    barrierSecret: typeof secret === "string" ? secret : "",
    stageId: int("stageId"),
    partitionId: int("partitionId"),
    attemptNumber: int("attemptNumber"),
    taskAttemptId,
    cpus: int("cpus"),
    cpuAmount: o["cpuAmount"] === undefined ? undefined : String(o["cpuAmount"]),
    resources,
    localProperties: strMap("localProperties"),
  };
}

/** A count field; a negative or absurd one means the layout is not what we think. */
async function count(r: WireReader, what: string): Promise<number> {
  const n = await r.readInt32();
  if (n < 0 || n > 1_000_000) throw new WireProtocolError(`implausible number of ${what}: ${n}`);
  return n;
}

async function readPairs(r: WireReader, what: string): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (let i = await count(r, what); i > 0; i--) {
    const k = await r.readString();
    m.set(k, await r.readString());
  }
  return m;
}

async function readFiles(r: WireReader): Promise<{ sparkFilesDir: string; includes: string[] }> {
  const sparkFilesDir = await r.readString();
  const includes: string[] = [];
  for (let i = await count(r, "python includes"); i > 0; i--) includes.push(await r.readString());
  return { sparkFilesDir, includes };
}

/** udsPossible: 4.1+ sends port -1 and a socket path for a decryption server on a Unix domain socket. */
async function readBroadcasts(r: WireReader, udsPossible: boolean): Promise<{ broadcastServer: BroadcastServer | null; broadcasts: BroadcastEntry[] }> {
  const decrypt = await r.readBool();
  const n = await count(r, "broadcasts");
  let broadcastServer: BroadcastServer | null = null;
  if (decrypt) {
    const port = await r.readInt32();
    broadcastServer = udsPossible && port === -1 ? { socketPath: await r.readString() } : { port, secret: await r.readString() };
  }
  const broadcasts: BroadcastEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = await r.readInt64();
    if (id < 0n) broadcasts.push({ dropId: -id - 1n });
    else if (decrypt) broadcasts.push({ id });
    else broadcasts.push({ id, path: await r.readString() });
  }
  return { broadcastServer, broadcasts };
}

async function readCommand(r: WireReader): Promise<Buffer> {
  const n = await r.readInt32();
  if (n < 0) throw new WireProtocolError(`expected the command frame, got length ${n}`);
  return r.readBytes(n);
}

/**
 * Writes a task header as the executor's JVM does (the inverse of readTaskHeader): for tests
 * and fake executors. In 4.3 `taskContextJson`, when set, is sent as it is; otherwise it is
 * built from the fields.
 */
export function writeTaskHeader(w: WireWriter, h: TaskHeader, minor: SparkMinor): void {
  if (minor === "3.5") {
    w.int32(h.partitionIndex).string(h.pythonVer);
    w.bool(h.isBarrier).int32(typeof h.barrierConnInfo === "number" ? h.barrierConnInfo : 0).string(h.barrierSecret);
    w.int32(h.stageId).int32(h.partitionId).int32(h.attemptNumber).int64(h.taskAttemptId).int32(h.cpus);
    w.int32(h.resources.size);
    for (const [key, res] of h.resources) {
      w.string(key).string(res.name).int32(res.addresses.length);
      for (const a of res.addresses) w.string(a);
    }
    writePairs(w, h.localProperties);
    writeRest(w, h, false);
    return;
  }
  const msg = WireWriter.encode((inner) => {
    inner.int32(h.partitionIndex).string(h.pythonVer).string(h.taskContextJson ?? taskContextJsonOf(h));
    writeRest(inner, h, true);
  });
  w.int32(SpecialLength.START_OF_INIT_MESSAGE).int32(msg.length).raw(msg);
}

function taskContextJsonOf(h: TaskHeader): string {
  // Key order as Spark 4.3.0 writes it.
  return (
    `{"secret":${JSON.stringify(h.barrierSecret)},"stageId":${h.stageId},"isBarrier":${h.isBarrier},"partitionId":${h.partitionId},` +
    `"connInfo":${JSON.stringify(h.barrierConnInfo ?? -1)},"attemptNumber":${h.attemptNumber},"localProperties":${JSON.stringify(Object.fromEntries(h.localProperties))},` +
    `"cpuAmount":${JSON.stringify(h.cpuAmount ?? String(h.cpus))},"taskAttemptId":${h.taskAttemptId},` +
    `"resources":${JSON.stringify(Object.fromEntries(h.resources))},"cpus":${h.cpus}}`
  );
}

function writePairs(w: WireWriter, m: Map<string, string>): void {
  w.int32(m.size);
  for (const [k, v] of m) w.string(k).string(v);
}

function writeRest(w: WireWriter, h: TaskHeader, is43: boolean): void {
  w.string(h.sparkFilesDir).int32(h.includes.length);
  for (const f of h.includes) w.string(f);
  const server = h.broadcastServer;
  w.bool(server !== null).int32(h.broadcasts.length);
  if (server) {
    if ("socketPath" in server) w.int32(-1).string(server.socketPath);
    else w.int32(server.port).string(server.secret);
  }
  for (const b of h.broadcasts) {
    if ("dropId" in b) w.int64(-b.dropId - 1n);
    else {
      w.int64(b.id);
      if (!server) w.string(b.path ?? "");
    }
  }
  w.int32(h.evalType);
  if (is43) {
    writePairs(w, h.runnerConf);
    writePairs(w, h.evalConf);
  }
  w.frame(h.command);
}

// ---------------------------------------------------------------- the reply trailer

/** How many time longs follow TIMING_DATA (before the two spill longs). */
export const TIMING_LONGS: Readonly<Record<SparkMinor, number>> = { "3.5": 3, "4.3": 4 };

export interface TaskEnd {
  /** When the worker process started, ms since the epoch. */
  bootMs: number;
  /** When the task header was read and the command loaded, ms since the epoch. */
  initMs: number;
  /** When the last record was written, ms since the epoch. */
  finishMs: number;
  /** 4.3 only: time spent processing records, ms (default finishMs - initMs). */
  processingMs?: number;
  memoryBytesSpilled: number | bigint;
  diskBytesSpilled: number | bigint;
  /** Each update one frame (PySpark: a pickled (id, value)); tspark sends none. */
  accumulatorUpdates: Uint8Array[];
}

/**
 * After the last record: -3 and the timing longs the version expects, the spill longs, then
 * -1, the number of accumulator updates and their frames. The executor then sends -4, which
 * {@link answerEndOfStream} answers.
 */
export function writeTaskEnd(w: WireWriter, end: TaskEnd, minor: SparkMinor): void {
  w.int32(SpecialLength.TIMING_DATA).int64(end.bootMs).int64(end.initMs).int64(end.finishMs);
  if (TIMING_LONGS[minor] === 4) w.int64(end.processingMs ?? Math.max(0, end.finishMs - end.initMs));
  w.int64(end.memoryBytesSpilled).int64(end.diskBytesSpilled);
  w.int32(SpecialLength.END_OF_DATA_SECTION).int32(end.accumulatorUpdates.length);
  for (const u of end.accumulatorUpdates) w.frame(u);
}

/** A failed task: -2 and the message (Spark raises it as a PythonException). Nothing may follow. */
export function writeTaskError(w: WireWriter, message: string): void {
  w.int32(SpecialLength.PYTHON_EXCEPTION_THROWN).string(message);
}

/**
 * Reads the executor's last word and answers as PySpark does: -4 (END_OF_STREAM) is echoed,
 * anything else (including a closed socket) gets -1, meaning "do not reuse me". Resolves to
 * whether the stream ended cleanly. Flushes.
 */
export async function answerEndOfStream(r: WireReader, w: WireWriter): Promise<boolean> {
  const next = await r.readInt32().catch(() => undefined);
  const clean = next === SpecialLength.END_OF_STREAM;
  w.int32(clean ? SpecialLength.END_OF_STREAM : SpecialLength.END_OF_DATA_SECTION);
  await w.flush().catch(() => undefined);
  return clean;
}

/** A reply trailer as the JVM reads it (for tests and fake executors): the inverse of writeTaskEnd. */
export interface ReadTaskEnd {
  times: bigint[];
  memoryBytesSpilled: bigint;
  diskBytesSpilled: bigint;
  accumulatorUpdates: Buffer[];
}

/** Reads a trailer, the -3 marker already consumed (the JVM reads it as a frame length). */
export async function readTaskEndAfterMarker(r: WireReader, minor: SparkMinor): Promise<ReadTaskEnd> {
  const times: bigint[] = [];
  for (let i = 0; i < TIMING_LONGS[minor]; i++) times.push(await r.readInt64());
  const memoryBytesSpilled = await r.readInt64();
  const diskBytesSpilled = await r.readInt64();
  const marker = await r.readInt32();
  if (marker !== SpecialLength.END_OF_DATA_SECTION) throw new WireProtocolError(`expected END_OF_DATA_SECTION after the timing data, got ${marker}`);
  const accumulatorUpdates: Buffer[] = [];
  for (let i = await count(r, "accumulator updates"); i > 0; i--) {
    const f = await r.readFrame();
    if (typeof f === "number") throw new WireProtocolError(`accumulator update with length ${f}`);
    accumulatorUpdates.push(Buffer.from(f));
  }
  return { times, memoryBytesSpilled, diskBytesSpilled, accumulatorUpdates };
}

/**
 * The serializers a user may choose for an RDD's records where they are moved or kept in
 * bulk (shuffles, disk caches), as PySpark's `serializer` and `batchSize`: tspark's own
 * (record-batch.ts: a column layout for string/number pairs, else value-codec.ts, which
 * keeps classes), JSON, or the user's own encoding of one record (protobuf, MessagePack).
 *
 * Every batch says how it was encoded in its first byte, so a reader decodes any batch
 * without being told: tspark's batches begin with PAIRS, 0xFF or 0xCC, JSON's with 'J', the
 * user's with 'U' and the serializer's id. A user's decode function is looked up by that id
 * among the codecs this process registered (the driver when it plans, a worker when a task
 * brings the serializer's functions).
 */
import { TsparkError } from "../errors.js";
import { decodeBatch, encodeBatch } from "./record-batch.js";

/** What a plan says of a serializer (data: it travels in tasks). Closure ids name a custom one's functions. */
export type SerializerSpec = { kind: "tspark"; batchSize?: number } | { kind: "json"; batchSize?: number } | CustomSerializerSpec;
export interface CustomSerializerSpec {
  kind: "custom";
  /** Names the serializer in its batches: its two closures' ids. */
  id: string;
  name: string;
  /** Closure ids of the functions encoding and decoding one record. */
  encode: string;
  decode: string;
  batchSize?: number;
}

/** A user's encoding of one record. */
export interface RecordCodec {
  encode(record: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** How a writer encodes its batches, and how many records go in one. */
export interface BatchCodec {
  /**
   * The batch after `room` (default 0) bytes left free for the caller's header: a frame is
   * made without a copy. Every codec must leave the room: the caller writes its header there.
   */
  encode(records: unknown[], room?: number): Buffer;
  batchSize: number;
}

/** Records per batch by default (a few thousand: per-batch costs vanish, a batch stays small). */
export const DEFAULT_BATCH_RECORDS = 4096;

const JSON_BATCH = 0x4a; // 'J'
const CUSTOM_BATCH = 0x55; // 'U'

/** `records` in pieces of at most `batchSize` (the array itself when it is small enough). */
export function inBatches<T>(records: T[], batchSize: number): T[][] {
  if (records.length <= batchSize) return [records];
  const out: T[][] = [];
  for (let i = 0; i < records.length; i += batchSize) out.push(records.slice(i, i + batchSize));
  return out;
}

export const TSPARK_BATCHES: BatchCodec = { encode: (records, room) => encodeBatch(records, room), batchSize: DEFAULT_BATCH_RECORDS };

const customCodecs = new Map<string, RecordCodec>();

/** Makes a custom serializer's functions known to this process, under its id. */
export function registerCustomCodec(id: string, codec: RecordCodec): void {
  if (!customCodecs.has(id)) customCodecs.set(id, codec);
}

export function hasCustomCodec(id: string): boolean {
  return customCodecs.has(id);
}

/** The writer's side of `spec` (tspark's own layout when there is none). */
export function batchCodecOf(spec: SerializerSpec | undefined): BatchCodec {
  if (!spec || (spec.kind === "tspark" && spec.batchSize === undefined)) return TSPARK_BATCHES;
  const batchSize = spec.batchSize ?? DEFAULT_BATCH_RECORDS;
  switch (spec.kind) {
    case "tspark":
      return { encode: TSPARK_BATCHES.encode, batchSize };
    case "json":
      return { encode: encodeJson, batchSize };
    case "custom": {
      const codec = customCodecs.get(spec.id);
      if (!codec) throw new TsparkError("PROTOCOL", `serializer ${spec.name} was not registered in this process before its records were written`);
      return { encode: (records, room = 0) => encodeCustom(records, spec, codec, room), batchSize };
    }
  }
}

function encodeJson(records: unknown[], room = 0): Buffer {
  let text: string;
  try {
    text = JSON.stringify(records);
  } catch (e) {
    throw new TsparkError("UNSERIALIZABLE", `JSONSerializer cannot write a record: ${(e as Error).message}`, { cause: e });
  }
  const out = Buffer.allocUnsafe(room + 1 + Buffer.byteLength(text));
  out[room] = JSON_BATCH;
  out.write(text, room + 1);
  return out;
}

function encodeCustom(records: unknown[], spec: { id: string; name: string }, codec: RecordCodec, room: number): Buffer {
  const id = Buffer.from(spec.id);
  const parts: Uint8Array[] = [];
  let bytes = 1 + 2 + id.length + 4;
  for (const r of records) {
    const b = codec.encode(r);
    if (!(b instanceof Uint8Array)) throw new TsparkError("UNSERIALIZABLE", `serializer ${spec.name}: encode returned ${b === null ? "null" : typeof b}, not a Uint8Array`);
    parts.push(b);
    bytes += 4 + b.length;
  }
  const out = Buffer.allocUnsafe(room + bytes);
  out[room] = CUSTOM_BATCH;
  out.writeUInt16LE(id.length, room + 1);
  id.copy(out, room + 3);
  let o = room + 3 + id.length;
  out.writeUInt32LE(records.length, o);
  o += 4;
  for (const b of parts) {
    out.writeUInt32LE(b.length, o);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

/** The records of any batch a writer of this module encoded. */
export function decodeRecords<T>(bytes: Buffer): T[] {
  if (bytes.length > 0 && bytes[0] === JSON_BATCH) return JSON.parse(bytes.toString("utf8", 1)) as T[];
  if (bytes.length > 0 && bytes[0] === CUSTOM_BATCH) return decodeCustom<T>(bytes);
  return decodeBatch<T>(bytes);
}

function decodeCustom<T>(bytes: Buffer): T[] {
  const idLength = bytes.readUInt16LE(1);
  const id = bytes.toString("utf8", 3, 3 + idLength);
  const codec = customCodecs.get(id);
  if (!codec) throw new TsparkError("PROTOCOL", `a batch was written by custom serializer ${id}, which this process does not have`);
  let o = 3 + idLength;
  const n = bytes.readUInt32LE(o);
  o += 4;
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) {
    const len = bytes.readUInt32LE(o);
    out[i] = codec.decode(bytes.subarray(o + 4, o + 4 + len)) as T;
    o += 4 + len;
  }
  if (o !== bytes.length) throw new TsparkError("PROTOCOL", `corrupt batch of custom serializer ${id}: its records do not add up to its length`);
  return out;
}

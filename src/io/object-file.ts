/**
 * tspark's object file format (saveAsObjectFile / objectFile; PySpark's pickleFile), a
 * self-describing binary part file:
 *
 *   "TSPKOBJ1"                                   8-byte magic
 *   { u32 LE length, serializeValue(records[]) }*  frames, each one batch of records
 *
 * v8's structured serialization keeps Maps, Sets, Dates, BigInts, typed arrays and cycles,
 * and stays readable by later Node versions (V8 reads older serializer versions). The
 * format is defined here, not borrowed from the shuffle files, so those can change freely.
 */
import { readSync, closeSync, fstatSync } from "node:fs";
import { openForRead, openForWrite, writeAll, OUTPUT_FILE } from "../util/fs-errors.js";
import { deserializeValue, serializeValue } from "../serde/value-codec.js";
import { TsparkError } from "../errors.js";

export const OBJECT_FILE_MAGIC = Buffer.from("TSPKOBJ1", "latin1");
/** Records per frame, at most; fewer when a frame's encoding would grow past FRAME_TARGET. */
const BATCH_RECORDS = 1024;
const FRAME_TARGET = 8 * 1024 * 1024;
/** Bytes of frames held before they are written. */
const FLUSH_BYTES = 1024 * 1024;
const MAX_FRAME = 0xffffffff;

export class ObjectPartWriter {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openForWrite(path, OUTPUT_FILE);
    this.push(OBJECT_FILE_MAGIC);
  }

  write(records: unknown[]): void {
    if (this.closed) throw new TsparkError("INVALID_ARGUMENT", `ObjectPartWriter: write after close (${this.path})`);
    for (let i = 0; i < records.length; i += BATCH_RECORDS) this.writeFrames(records.slice(i, i + BATCH_RECORDS));
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Writes `batch` as one frame, or halves it while its encoding is too large for one. */
  private writeFrames(batch: unknown[]): void {
    const body = serializeValue(batch, "saveAsObjectFile's records");
    if (body.length > FRAME_TARGET && batch.length > 1) {
      const mid = batch.length >> 1;
      this.writeFrames(batch.slice(0, mid));
      this.writeFrames(batch.slice(mid));
      return;
    }
    if (body.length > MAX_FRAME) throw new TsparkError("INVALID_ARGUMENT", `saveAsObjectFile: one record serializes to ${body.length} bytes, more than a frame can hold (4 GiB)`);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(body.length, 0);
    this.push(head);
    this.push(body);
  }

  private push(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const frames = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    writeAll(this.fd, frames, this.path, OUTPUT_FILE);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

function corrupt(path: string, offset: number, what: string, cause?: unknown): TsparkError {
  return new TsparkError("INVALID_ARGUMENT", `Object file ${path} is corrupt at byte ${offset}: ${what}`, cause === undefined ? undefined : { cause });
}

/** Reads `into.length` bytes at `pos`; false if the file ends first. */
function readAt(fd: number, into: Buffer, pos: number): boolean {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, pos + got);
    if (n === 0) return false;
    got += n;
  }
  return true;
}

/** The record batches of an object file, one frame at a time. */
export function* readObjectFile(path: string): Generator<unknown[], void, undefined> {
  const fd = openForRead(path);
  try {
    const size = fstatSync(fd).size;
    const magic = Buffer.alloc(OBJECT_FILE_MAGIC.length);
    if (!readAt(fd, magic, 0) || !magic.equals(OBJECT_FILE_MAGIC)) {
      throw new TsparkError("INVALID_ARGUMENT", `${path} is not a tspark object file (no "TSPKOBJ1" header at byte 0)`);
    }
    let pos = OBJECT_FILE_MAGIC.length;
    const head = Buffer.alloc(4);
    while (pos < size) {
      if (pos + 4 > size || !readAt(fd, head, pos)) throw corrupt(path, pos, `truncated: a frame header needs 4 bytes, ${size - pos} remain`);
      const len = head.readUInt32LE(0);
      if (pos + 4 + len > size) throw corrupt(path, pos, `truncated: a frame of ${len} bytes runs past the end of the file (${size} bytes)`);
      const body = Buffer.allocUnsafe(len);
      if (!readAt(fd, body, pos + 4)) throw corrupt(path, pos, "truncated while reading (the file shrank)");
      let batch: unknown;
      try {
        batch = deserializeValue(body);
      } catch (err) {
        throw corrupt(path, pos, `undecodable frame of ${len} bytes (${(err as Error).message})`, err);
      }
      if (!Array.isArray(batch)) throw corrupt(path, pos, "a frame does not hold a batch of records");
      pos += 4 + len;
      yield batch as unknown[];
    }
  } finally {
    closeSync(fd);
  }
}

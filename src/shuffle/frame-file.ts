/**
 * Files of record batches, used for shuffle outputs, spill runs and blocks cached on disk:
 * each batch is one frame `[u32 LE length][u32 LE CRC-32 of the batch][encoded batch]`
 * (serde/record-batch.ts). The checksum makes a damaged file an error that names it (as
 * Spark's shuffle checksums do), never a silently different answer. Frames are written in
 * large gathered writes, not copied into a block first; reads are synchronous (a worker runs
 * one task at a time) and stream batch by batch.
 */
import { openSync, readSync, closeSync, fstatSync, rmSync } from "node:fs";
import { openForWrite, writeAll, LOCAL_FILE } from "../util/fs-errors.js";
import { TSPARK_BATCHES, decodeRecords, type BatchCodec } from "../serde/record-serializers.js";
import { crc32 } from "../util/crc32.js";
import { TsparkError } from "../errors.js";

/** Bytes of frames held before they are written. */
const FLUSH_BYTES = 1024 * 1024;
/** Bytes before a frame's batch: its length and checksum. */
const FRAME_HEADER = 8;

/** Writes a frame's header (the batch's length and CRC-32) at the start of `into`. */
function writeFrameHeader(into: Buffer, body: Uint8Array): void {
  into.writeUInt32LE(body.length, 0);
  into.writeUInt32LE(crc32(body), 4);
}

/** One batch as a frame of a frame file, for writers that encode records before they write them. */
export function encodeFrame(records: unknown[], codec: BatchCodec = TSPARK_BATCHES): Buffer {
  const frame = codec.encode(records, FRAME_HEADER);
  writeFrameHeader(frame, frame.subarray(FRAME_HEADER));
  return frame;
}

export class FrameFileWriter {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes written so far (flushed or not): the offset of the next frame. */
  position = 0;
  private failed = false;

  constructor(readonly path: string) {
    this.fd = openForWrite(path, LOCAL_FILE);
  }

  /** Appends one batch as a frame (encoded by `codec`, tspark's layout by default); returns its encoded size. */
  writeBatch(records: unknown[], codec: BatchCodec = TSPARK_BATCHES): number {
    const frame = encodeFrame(records, codec);
    this.writeRaw(frame);
    return frame.length;
  }

  /** Appends a batch already encoded (serde/record-batch.ts) as a frame; `body` may be reused by the caller after. */
  writeEncodedBatch(body: Uint8Array): void {
    const head = Buffer.allocUnsafe(FRAME_HEADER);
    writeFrameHeader(head, body);
    this.writeRaw(head);
    this.writeRaw(Buffer.from(body));
  }

  /** Appends raw bytes (already framed), e.g. a segment copied from a spill file. */
  writeRaw(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.position += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.pendingBytes === 0) return;
    try {
      writeAll(this.fd, this.pending, this.path, LOCAL_FILE);
    } catch (err) {
      // A file with a failed write is useless (a full disk, say): give its space back now.
      closeSync(this.fd);
      rmSync(this.path, { force: true });
      this.failed = true;
      throw err;
    }
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.failed) return;
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Reads the frames in byte range [start, end) of a frame file, batch by batch. A frame that
 * fails its checksum, or does not fit, throws CORRUPT_FILE naming the file and the byte.
 */
export function* readFrames<T>(path: string, start = 0, end?: number): Generator<T[], void, undefined> {
  const fd = openSync(path, "r");
  try {
    const stop = end ?? fstatSync(fd).size;
    let pos = start;
    const head = Buffer.allocUnsafe(FRAME_HEADER);
    while (pos < stop) {
      if (readSync(fd, head, 0, FRAME_HEADER, pos) !== FRAME_HEADER) throw corrupt(path, pos, "truncated frame header");
      const len = head.readUInt32LE(0);
      if (pos + FRAME_HEADER + len > stop) throw corrupt(path, pos, `frame of ${len} bytes runs past the end of its segment`);
      const body = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, body, got, len - got, pos + FRAME_HEADER + got);
        if (n === 0) throw corrupt(path, pos, "unexpected end of file");
        got += n;
      }
      if (crc32(body) !== head.readUInt32LE(4)) throw corrupt(path, pos, `the frame of ${len} bytes fails its checksum`);
      pos += FRAME_HEADER + len;
      yield decodeRecords<T>(body);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads a byte range of a file as one buffer (segments are copied whole when merging spills). */
export function readRange(path: string, start: number, end: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) throw corrupt(path, start + got, "unexpected end of file");
      got += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

function corrupt(path: string, offset: number, what: string): TsparkError {
  return new TsparkError("CORRUPT_FILE", `corrupt shuffle, spill or cache file ${path} at byte ${offset}: ${what}`);
}

/**
 * Reads the lines of a file split, synchronously, in batches (a worker runs one task at a
 * time, so blocking reads are the simplest fast path). Semantics of Hadoop's line reader:
 * a line belongs to the split in which it starts, so every line of a file is read exactly
 * once whatever the split sizes; "\n" and "\r\n" end lines; bytes are decoded as UTF-8
 * per complete line (never across a read boundary), invalid bytes becoming U+FFFD.
 */
import { openSync, readSync, closeSync } from "node:fs";
import { Gunzip } from "fflate";
import type { FileSplit } from "./text-splits.js";
import { isGzip } from "./paths.js";
import { TsparkError } from "../errors.js";

const READ_SIZE = 1024 * 1024;
const NL = 0x0a;

/** Decodes a run of complete lines (ending with "\n") into strings without their endings. */
function decodeLines(bytes: Buffer): string[] {
  const lines = bytes.toString("utf8").split("\n");
  lines.pop(); // the empty string after the final "\n"
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * Lines from a stream of byte chunks starting at a line start at offset `startOffset`; stops
 * after the line that contains byte `end - 1` (lines starting at or after `end` are the next
 * split's).
 */
function* linesOf(chunks: Iterable<Buffer>, startOffset: number, end: number): Generator<string[], void, undefined> {
  if (startOffset >= end) return;
  let pending: Buffer[] = [];
  let offset = startOffset;
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    const chunkStart = offset;
    offset += chunk.length;
    let stopAt = -1;
    if (offset > end - 1) stopAt = chunk.indexOf(NL, Math.max(0, end - 1 - chunkStart));
    const lastNl = stopAt >= 0 ? stopAt : chunk.lastIndexOf(NL);
    if (lastNl < 0) {
      pending.push(chunk);
      continue;
    }
    const head = chunk.subarray(0, lastNl + 1);
    const complete = pending.length > 0 ? Buffer.concat([...pending, head]) : head;
    const lines = decodeLines(complete);
    if (lines.length > 0) yield lines;
    if (stopAt >= 0) return;
    pending = lastNl + 1 < chunk.length ? [chunk.subarray(lastNl + 1)] : [];
  }
  // End of file: an unterminated last line (no extra empty line after a final "\n").
  if (pending.length > 0) {
    const last = Buffer.concat(pending).toString("utf8");
    yield [last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last];
  }
}

/** Chunks of a file from `from` to its end. */
function* fileChunks(fd: number, from: number): Generator<Buffer, void, undefined> {
  let pos = from;
  for (;;) {
    const buf = Buffer.allocUnsafe(READ_SIZE);
    const n = readSync(fd, buf, 0, READ_SIZE, pos);
    if (n === 0) return;
    pos += n;
    yield n === READ_SIZE ? buf : buf.subarray(0, n);
  }
}

/** The offset of the first line start at or after `start` (start itself if a line starts there). */
function firstLineStart(fd: number, start: number): number | undefined {
  if (start === 0) return 0;
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, start - 1);
  if (one[0] === NL) return start;
  let offset = start;
  for (const chunk of fileChunks(fd, start)) {
    const i = chunk.indexOf(NL);
    if (i >= 0) return offset + i + 1;
    offset += chunk.length;
  }
  return undefined;
}

/** Decompressed chunks of a gzip file (fflate: Node's zlib has no synchronous streaming API). */
function* gunzipChunks(path: string, fd: number): Generator<Buffer, void, undefined> {
  const out: Buffer[] = [];
  const gz = new Gunzip((data) => {
    out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  let pos = 0;
  for (const chunk of fileChunks(fd, 0)) {
    pos += chunk.length;
    try {
      gz.push(chunk, false);
    } catch (err) {
      throw new TsparkError("INVALID_ARGUMENT", `corrupt gzip file ${path} (near byte ${pos}): ${(err as Error).message}`, { cause: err });
    }
    yield* out.splice(0);
  }
  try {
    gz.push(new Uint8Array(0), true);
  } catch (err) {
    throw new TsparkError("INVALID_ARGUMENT", `corrupt or truncated gzip file ${path}: ${(err as Error).message}`, { cause: err });
  }
  yield* out.splice(0);
}

/** The lines of a split, in batches. */
export function* readLines(split: FileSplit): Generator<string[], void, undefined> {
  if (split.length === 0) return;
  const fd = openSync(split.path, "r");
  try {
    if (isGzip(split.path)) {
      yield* linesOf(gunzipChunks(split.path, fd), 0, Infinity);
      return;
    }
    const end = split.start + split.length;
    const first = firstLineStart(fd, split.start);
    if (first === undefined) return;
    yield* linesOf(fileChunks(fd, first), first, end);
  } finally {
    closeSync(fd);
  }
}

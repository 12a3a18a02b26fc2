/**
 * Reads the lines of a file split, synchronously, in batches. Worker side: a worker runs one
 * task at a time and the engine's record iterators are synchronous, so blocking reads are
 * the simplest fast path; memory stays bounded by the read buffer and the longest line.
 *
 * Semantics (Hadoop's LineRecordReader, as Spark's textFile):
 * - A split that does not start at 0 skips bytes up to and including the first "\n" at or
 *   after `start` (so a line starting exactly at `start` belongs to the split before, as in
 *   Hadoop); it then reads every line that starts at or before start+length, the last one
 *   running past the split end as far as needed. Every line of a file is therefore read
 *   exactly once, whatever the split sizes, and in the same split as Spark's textFile puts it.
 * - "\n" ends a line and a "\r" just before it is dropped; a lone "\r" is kept. (Hadoop
 *   also ends lines at a lone "\r"; we don't, so "\r" inside a record survives.) A trailing
 *   "\r" at end of file is dropped too, as "\r\n" cut short.
 * - A final "\n" does not make an extra empty line.
 * - Bytes are decoded (as UTF-8 unless told otherwise, see LineEncoding) only in runs of complete lines, never across a read-buffer
 *   edge, so a multibyte character split by a buffer boundary decodes intact. Decoding a run
 *   of whole lines equals decoding each line: "\n" is never part of a multibyte sequence,
 *   so an invalid sequence cannot swallow it. Invalid bytes become U+FFFD.
 * - A gzip file (by name) is one split: it is decompressed as a stream with fflate's
 *   synchronous streaming Gunzip (Node's zlib has no synchronous streaming API), which also
 *   reads multi-member files such as TextPartWriter writes.
 */
import { readSync, closeSync } from "node:fs";
import { isAscii } from "node:buffer";
import { openForRead } from "../util/fs-errors.js";
import { crc32 } from "../util/crc32.js";
import { createRequire } from "node:module";

/** fflate, loaded at the first gzip file (its import took 20-50 ms of every worker's start-up). */
let fflate: typeof import("fflate") | undefined;
const gunzipper = () => (fflate ??= createRequire(import.meta.url)("fflate") as typeof import("fflate")).Gunzip;
import type { FileSplit } from "./text-splits.js";
import { isGzip } from "./paths.js";
import { TsparkError } from "../errors.js";

/** Bytes asked of the file per read. */
export const READ_SIZE = 1024 * 1024;
/** Compressed bytes pushed into the inflater at a time: bounds one push's output (~1000x for the worst ratio). */
const GZ_READ_SIZE = 64 * 1024;
/** Default most lines per batch. */
export const DEFAULT_BATCH_LINES = 4096;
/** Roughly the most bytes of text per batch (a batch always holds at least one whole line). */
export const BATCH_BYTES = 256 * 1024;

const NL = 0x0a;
const CR = 13;

/** Where decoded bytes come from: a plain file from an offset, or a decompressed stream. */
interface ByteSource {
  /** Fills `into[offset, offset+length)` as far as it can; 0 means end of data. */
  read(into: Buffer, offset: number, length: number): number;
}

function fileSource(fd: number, from: number): ByteSource {
  let pos = from;
  return {
    read(into, offset, length) {
      const n = readSync(fd, into, offset, length, pos);
      pos += n;
      return n;
    },
  };
}

function corruptGzip(path: string, at: number, why: string, cause?: unknown): TsparkError {
  return new TsparkError("INVALID_ARGUMENT", `Cannot read gzip file ${path}: corrupt or truncated at compressed byte ${at} (${why})`, cause === undefined ? undefined : { cause });
}


/**
 * Decompressed bytes of a gzip file. fflate's streaming Gunzip does not check a member's
 * CRC-32 and length trailer and accepts some truncated streams without complaint, so we
 * check every member's trailer ourselves: a truncated or corrupted file is an error, never
 * silently short input.
 */
function gunzipSource(path: string, fd: number): ByteSource {
  const queue: Uint8Array[] = [];
  let head = 0; // bytes of queue[0] already handed out
  let pos = 0; // compressed bytes pushed so far
  let finished = false;
  let crc = 0; // of the current member's output
  let size = 0; // of the current member's output, mod 2^32 as in the trailer
  const trailer = Buffer.alloc(8);
  /** Checks the trailer that ends at compressed offset `end` against the member just read. */
  const checkMember = (end: number): void => {
    if (end < 18 || readSync(fd, trailer, 0, 8, end - 8) !== 8) throw corruptGzip(path, end, "too short for a gzip member");
    if (trailer.readUInt32LE(0) !== crc || trailer.readUInt32LE(4) !== size) {
      throw corruptGzip(path, end, "the data does not match the member's CRC-32 and length");
    }
    crc = 0;
    size = 0;
  };
  // fflate hands each push's output to this callback as a fresh array (it copies), so
  // queued chunks stay valid after later pushes.
  const Gunzip = gunzipper();
  const gz = new Gunzip((data) => {
    if (data.length === 0) return;
    crc = crc32(data, crc);
    size = (size + data.length) >>> 0;
    queue.push(data);
  });
  // Called when a further member starts, after all of the previous member's output.
  gz.onmember = (offset) => checkMember(offset);
  const pull = (): void => {
    // A fresh input chunk per push: fflate may keep a reference to an unconsumed input chunk.
    const chunk = Buffer.allocUnsafe(GZ_READ_SIZE);
    const n = readSync(fd, chunk, 0, GZ_READ_SIZE, pos);
    try {
      if (n === 0) {
        finished = true;
        gz.push(new Uint8Array(0), true);
      } else {
        gz.push(chunk.subarray(0, n), false);
      }
    } catch (err) {
      if (err instanceof TsparkError) throw err;
      throw corruptGzip(path, pos, err instanceof Error ? err.message : String(err), err);
    }
    pos += n;
    if (finished) checkMember(pos);
  };
  return {
    read(into, offset, length) {
      while (queue.length === 0) {
        if (finished) return 0;
        pull();
      }
      const first = queue[0]!;
      const n = Math.min(length, first.length - head);
      into.set(first.subarray(head, head + n), offset);
      head += n;
      if (head === first.length) {
        queue.shift();
        head = 0;
      }
      return n;
    },
  };
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

/**
 * How a text file's lines are given: decoded as UTF-8 (invalid bytes become U+FFFD) or as
 * Latin-1 (ISO-8859-1: one character per byte, so no byte is lost, whatever the file's
 * encoding), or as the lines' own bytes (PySpark's use_unicode=False).
 */
export type LineEncoding = "utf8" | "latin1" | "bytes";
export const LINE_ENCODINGS: readonly LineEncoding[] = ["utf8", "latin1", "bytes"];

type Line = string | Uint8Array;

/** Decodes buf[from, to), a run of complete lines each ending in "\n", into lines. */
function decodeLines(buf: Buffer, from: number, to: number, encoding: LineEncoding): Line[] {
  if (encoding === "bytes") return bytesOfLines(buf, from, to);
  const text = decodeText(buf, from, to, encoding);
  const lines = text.split("\n");
  lines.pop(); // the empty string after the final "\n"
  if (text.includes("\r")) for (let i = 0; i < lines.length; i++) lines[i] = stripCr(lines[i]!);
  return lines;
}

/**
 * buf[from, to) as text. ASCII, the common case, reads the same in UTF-8 and Latin-1, and
 * node checks for it and decodes it as Latin-1 several times faster than as UTF-8.
 */
function decodeText(buf: Buffer, from: number, to: number, encoding: "utf8" | "latin1"): string {
  return encoding === "latin1" || isAscii(buf.subarray(from, to)) ? buf.toString("latin1", from, to) : buf.toString("utf8", from, to);
}

/** Each line of buf[from, to) as a copy of its bytes, without its "\n" (or "\r\n"). */
function bytesOfLines(buf: Buffer, from: number, to: number): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (let at = from; at < to; ) {
    const nl = buf.indexOf(NL, at);
    const end = nl < 0 || nl >= to ? to : nl;
    lines.push(lineBytes(buf, at, end));
    at = end + 1;
  }
  return lines;
}

/** A copy of buf[from, to), a trailing "\r" dropped. */
function lineBytes(buf: Buffer, from: number, to: number): Uint8Array {
  const stop = to > from && buf[to - 1] === CR ? to - 1 : to;
  return new Uint8Array(buf.subarray(from, stop));
}

/** The unterminated last line of a file, as its encoding gives it. */
function lastLine(buf: Buffer, from: number, to: number, encoding: LineEncoding): Line {
  if (encoding === "bytes") return lineBytes(buf, from, to);
  return stripCr(decodeText(buf, from, to, encoding));
}

/** Batches of the complete lines in buf[from, to) (which ends with "\n"). */
function* batchesOf(buf: Buffer, from: number, to: number, batchLines: number, encoding: LineEncoding): Generator<Line[], void, undefined> {
  const view = buf.subarray(0, to);
  while (from < to) {
    // Cut at a line end near BATCH_BYTES so one decode never makes a huge string array.
    let cut = to;
    if (to - from > BATCH_BYTES) cut = view.indexOf(NL, from + BATCH_BYTES - 1) + 1; // found: to-1 is "\n"
    const lines = decodeLines(buf, from, cut, encoding);
    for (let i = 0; i < lines.length; i += batchLines) yield i === 0 && lines.length <= batchLines ? lines : lines.slice(i, i + batchLines);
    from = cut;
  }
}

/**
 * Lines of `source`, whose first byte is at file offset `base`. If `skipFirst`, bytes up to
 * and including the first "\n" are dropped. Stops after the line containing offset `end`
 * (lines starting after `end` belong to the next split).
 */
function* linesOf(source: ByteSource, base: number, skipFirst: boolean, end: number, initialSize: number, batchLines: number, encoding: LineEncoding): Generator<Line[], void, undefined> {
  let buf = Buffer.allocUnsafe(initialSize);
  let lo = 0; // first unconsumed byte: always a line start once skipping is over
  let hi = 0; // end of valid data
  let skipping = skipFirst;
  let eof = false;
  for (;;) {
    const view = buf.subarray(0, hi);
    if (skipping) {
      const i = view.indexOf(NL, lo);
      if (i >= 0) {
        skipping = false;
        lo = i + 1;
      } else {
        lo = hi; // the skipped line may be huge: drop it as we go rather than buffering it
      }
    }
    if (!skipping) {
      if (base + lo > end) return; // the next line starts in the next split
      // Index of the byte at `end`; the "\n" at or after it ends this split's last line.
      const lastByte = end - base;
      let last: number;
      let final = false;
      if (lastByte < hi) {
        last = view.indexOf(NL, Math.max(lo, lastByte));
        if (last >= 0) final = true;
        else last = view.lastIndexOf(NL);
      } else {
        last = view.lastIndexOf(NL);
      }
      if (last >= lo) {
        yield* batchesOf(buf, lo, last + 1, batchLines, encoding);
        lo = last + 1;
      }
      if (final) return;
    }
    if (eof) {
      if (!skipping && lo < hi) yield [lastLine(buf, lo, hi, encoding)]; // unterminated last line
      return;
    }
    // Keep the partial line, move it to the front, and make room for at least half a buffer.
    if (lo > 0) {
      buf.copy(buf, 0, lo, hi);
      base += lo;
      hi -= lo;
      lo = 0;
    }
    if (buf.length - hi < buf.length / 2) {
      const bigger = Buffer.allocUnsafe(buf.length * 2); // a long line: grow geometrically
      buf.copy(bigger, 0, 0, hi);
      buf = bigger;
    }
    const n = source.read(buf, hi, buf.length - hi);
    if (n === 0) eof = true;
    else hi += n;
  }
}

function openInput(path: string): number {
  return openForRead(path, " (it was removed after the job was planned?)");
}

/**
 * The lines of a split, in batches of at most `batchSize` lines (and roughly at most
 * BATCH_BYTES of text, unless one line is longer).
 */
export function readLines(split: FileSplit, batchSize?: number, encoding?: "utf8" | "latin1"): Generator<string[], void, undefined>;
export function readLines(split: FileSplit, batchSize: number | undefined, encoding: LineEncoding): Generator<Line[], void, undefined>;
export function* readLines(split: FileSplit, batchSize = DEFAULT_BATCH_LINES, encoding: LineEncoding = "utf8"): Generator<Line[], void, undefined> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TsparkError("INVALID_ARGUMENT", `readLines: batchSize must be a positive integer, got ${batchSize}`);
  if (split.length <= 0) return;
  const gz = isGzip(split.path);
  if (gz && split.start > 0) return; // a gzip file is read whole by the split at offset 0
  const fd = openInput(split.path);
  try {
    if (gz) {
      yield* linesOf(gunzipSource(split.path, fd), 0, false, Infinity, READ_SIZE, batchSize, encoding);
    } else {
      const from = split.start;
      const initial = Math.min(READ_SIZE, Math.max(64 * 1024, split.length + 8 * 1024)); // small splits, small buffers
      yield* linesOf(fileSource(fd, from), from, split.start > 0, split.start + split.length, initial, batchSize, encoding);
    }
  } finally {
    closeSync(fd);
  }
}

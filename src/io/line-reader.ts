/**
 * Reads the lines of a file split, synchronously, in batches. Worker side: a worker runs one
 * task at a time and the engine's record iterators are synchronous, so blocking reads are
 * the simplest fast path; memory stays bounded by the read buffer and the longest line.
 *
 * Semantics (Hadoop's LineRecordReader, as Spark's textFile):
 * - A line ends at "\n", "\r\n" (one terminator) or a lone "\r", as Hadoop's LineReader
 *   reads text without a custom delimiter. A "\r" is looked for only in data that has one
 *   (one native indexOf per read), so "\n"-only text costs nothing more.
 * - A split that does not start at 0 skips bytes up to and including the first line
 *   terminator at or after `start`, found from `start` on, knowing nothing before it (so a
 *   line starting exactly at `start`, even right after a lone "\r", belongs to the split
 *   before; a split starting at the "\n" of a "\r\n" skips just that "\n"); it then reads
 *   every line that starts at or before start+length, the last one running past the split
 *   end as far as needed. Every line of a file is therefore read exactly once, whatever the
 *   split sizes, and in the same split as Spark's textFile puts it.
 * - A final terminator does not make an extra empty line.
 * - Bytes are decoded (as UTF-8 unless told otherwise, see LineEncoding) only in runs of complete lines, never across a read-buffer
 *   edge, so a multibyte character split by a buffer boundary decodes intact. Decoding a run
 *   of whole lines equals decoding each line: "\n" and "\r" are never part of a multibyte
 *   sequence, so an invalid sequence cannot swallow them. Invalid bytes become U+FFFD.
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
/**
 * Roughly the most bytes of text decoded at once, and so per batch (a batch always holds at
 * least one whole line). A decoded run's lines (and the run's text, which lines of 13
 * characters or more are slices of) stay live until the last of them has gone down the
 * task's steps: the larger the run, the more each young-generation collection finds live,
 * copies and promotes to the old generation, where only a full collection frees it; and a
 * run's text past V8's regular object size (128 KB, two bytes a character for non-Latin-1
 * text) is a large object, promoted whole. Small runs keep a map task's young collections
 * cheap (README, "Where the rest goes").
 */
export const BATCH_BYTES = 32 * 1024;

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

/** Bytes pushed at a time when looking for where a failing input chunk goes wrong: pieces, then (in the failing piece) steps. */
const GZ_PIECE = 512;
/** fflate's inflater fed 1 or 2 bytes at a time misses some damage it finds when fed 4 or more. */
const GZ_STEP = 4;

/**
 * Where in the compressed file fflate's Gunzip, fed the file as gunzipSource feeds it,
 * fails: the offset of the last byte it had been given (the damage is there or before).
 * Called only once the push of the file's bytes [chunkStart, chunkEnd) has failed (fflate
 * says what is wrong, not where): the file is fed again from the start, the same chunks up
 * to chunkStart, then that chunk in pieces of GZ_PIECE bytes; then again, up to the failing
 * piece, which goes `step` bytes at a time. So it costs decompressing the file up to the
 * damage twice, on the error path only. -1 if feeding it so does not fail.
 */
function locateGzipError(fd: number, chunkStart: number, chunkEnd: number, step: number): number {
  const Gunzip = gunzipper();
  /** Pieces from chunkStart up to `fine`, steps after it: the offset of the last byte of the push that fails, or -1. */
  const replay = (fine: number): number => {
    const gz = new Gunzip(() => undefined);
    let at = 0;
    let size = 0;
    try {
      while (at < chunkEnd) {
        size = Math.min(at < chunkStart ? GZ_READ_SIZE : at < fine ? GZ_PIECE : step, (at < chunkStart ? chunkStart : at < fine ? fine : chunkEnd) - at);
        const chunk = Buffer.allocUnsafe(size);
        size = readSync(fd, chunk, 0, size, at);
        if (size === 0) return -1;
        gz.push(chunk.subarray(0, size), false);
        at += size;
      }
    } catch {
      return at + size - 1;
    }
    return -1;
  };
  const pieceEnd = replay(chunkEnd);
  if (pieceEnd < 0) return -1;
  const pieceStart = Math.max(chunkStart, pieceEnd + 1 - GZ_PIECE);
  const at = replay(pieceStart);
  return at < 0 ? pieceEnd : at;
}

/**
 * Decompressed bytes of a gzip file. fflate's streaming Gunzip does not check a member's
 * CRC-32 and length trailer and accepts some truncated streams without complaint, so we
 * check every member's trailer ourselves: a truncated or corrupted file is an error, never
 * silently short input. The error names the compressed byte where the damage showed: the
 * end of a truncated file, the trailer that does not match its member's data, or the byte
 * at which decompressing failed (found by locateGzipError).
 */
function gunzipSource(path: string, fd: number): ByteSource {
  const queue: Uint8Array[] = [];
  let head = 0; // bytes of queue[0] already handed out
  let pos = 0; // compressed bytes pushed so far
  let finished = false;
  let memberStart = 0; // compressed offset of the current member
  let crc = 0; // of the current member's output
  let size = 0; // of the current member's output, mod 2^32 as in the trailer
  const trailer = Buffer.alloc(8);
  /** Checks the trailer that ends at compressed offset `end` against the member just read. */
  const checkMember = (end: number): void => {
    if (end - memberStart < 18 || readSync(fd, trailer, 0, 8, end - 8) !== 8) throw corruptGzip(path, memberStart, `the gzip member at byte ${memberStart} is too short to be one`);
    if (trailer.readUInt32LE(0) !== crc || trailer.readUInt32LE(4) !== size) {
      throw corruptGzip(path, end - 8, `the CRC-32 and length ending the gzip member at bytes ${memberStart}-${end - 1} do not match its data`);
    }
    memberStart = end;
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
      const why = err instanceof Error ? err.message : String(err);
      // At the end of the file (nothing more to push), that is where it shows: truncated.
      // A member's header is checked (by fflate) once its first 4 bytes (magic number,
      // method) are in: fed a byte at a time, the header starts 3 bytes before the failure.
      const badHeader = why === "invalid gzip data";
      let at = n === 0 ? pos : locateGzipError(fd, pos, pos + n, badHeader ? 1 : GZ_STEP);
      if (at < 0) at = pos + n - 1;
      else if (n > 0 && badHeader) at = Math.max(memberStart, at - 3);
      const what = n === 0 ? `the file ends inside a gzip member: ${why}` : badHeader ? `no gzip member starts there: ${why}` : `decompressing failed there, the damage being there or before: ${why}`;
      throw corruptGzip(path, at, what, err);
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

/**
 * How a text file's lines are given: decoded as UTF-8 (invalid bytes become U+FFFD) or as
 * Latin-1 (ISO-8859-1: one character per byte, so no byte is lost, whatever the file's
 * encoding), or as the lines' own bytes (PySpark's use_unicode=False).
 */
export type LineEncoding = "utf8" | "latin1" | "bytes";
export const LINE_ENCODINGS: readonly LineEncoding[] = ["utf8", "latin1", "bytes"];

type Line = string | Uint8Array;

/** lineEnd's answer for a "\r" that is the last byte read: a "\r\n" may be cut there, so the line's end is not known yet. */
const PENDING_CR = -2;

/**
 * The index just after the first line terminator in view[from, view.length): "\n", "\r\n",
 * or (looked for only if `cr`, that is if view holds one) a lone "\r". -1 if there is none;
 * PENDING_CR if it is a "\r" that is view's last byte, unless `known`: then the data ends
 * there (end of file, or the end of a run of whole lines) and that "\r" ends the line.
 */
function lineEnd(view: Buffer, from: number, cr: boolean, known: boolean): number {
  const nl = view.indexOf(NL, from);
  if (cr) {
    const r = view.indexOf(CR, from);
    if (r >= 0 && (nl < 0 || r < nl)) {
      if (r + 1 < view.length) return view[r + 1] === NL ? r + 2 : r + 1;
      return known ? r + 1 : PENDING_CR;
    }
  }
  return nl < 0 ? -1 : nl + 1;
}

/**
 * The index just after the last line terminator in view (at least `lo`): view[lo, result)
 * is then a run of whole lines. A "\r" as view's last byte counts only at end of file
 * (`eof`), as it may be the first half of a "\r\n".
 */
function lastLineEnd(view: Buffer, lo: number, cr: boolean, eof: boolean): number {
  let e = view.lastIndexOf(NL) + 1;
  if (cr) {
    let r = view.lastIndexOf(CR);
    if (r === view.length - 1 && !eof) r = r > 0 ? view.lastIndexOf(CR, r - 1) : -1;
    // A "\r" after the last "\n" is a lone one (a "\n" after it would be later still).
    if (r + 1 > e) e = r + 1;
  }
  return e > lo ? e : lo;
}

/**
 * Decodes buf[from, to), a run of complete lines each ending in "\n", "\r\n" or (only if
 * `cr`: buf may hold a "\r") "\r", into lines.
 */
function decodeLines(buf: Buffer, from: number, to: number, encoding: LineEncoding, cr: boolean): Line[] {
  if (encoding === "bytes") return bytesOfLines(buf, from, to, cr);
  const text = decodeText(buf, from, to, encoding);
  const lines = text.split("\n");
  const tail = lines.pop()!; // "" after a final "\n"; else the run ends in lone "\r"s
  if (!cr || !text.includes("\r")) return lines;
  // "\r" is a decoded "\r" byte in both encodings (UTF-8 never has it inside a sequence).
  // "\r\n" lines (Windows text), the common case with a "\r": a "\r" ending a line is dropped
  // in place; a lone "\r" inside one (rare) splits it, from there on into a new array.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const r = line.indexOf("\r");
    if (r < 0) continue;
    if (r === line.length - 1) lines[i] = line.slice(0, -1);
    else return withLoneCrs(lines, i, tail);
  }
  if (tail !== "") splitAtCr(tail, lines);
  return lines;
}

/** decodeLines' lines from lines[from] on, some of which hold a lone "\r"; `tail` as there. */
function withLoneCrs(lines: string[], from: number, tail: string): string[] {
  const out = lines.slice(0, from);
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    const r = line.indexOf("\r");
    if (r < 0) out.push(line);
    else if (r === line.length - 1) out.push(line.slice(0, -1)); // "\r\n"
    else splitAtCr(line, out);
  }
  if (tail !== "") splitAtCr(tail, out);
  return out;
}

/** Adds the lines of `text` split at each "\r", a final "\r" (of a "\r\n", or lone) ending the last one. */
function splitAtCr(text: string, out: string[]): void {
  const parts = text.split("\r");
  const n = parts[parts.length - 1] === "" ? parts.length - 1 : parts.length;
  for (let i = 0; i < n; i++) out.push(parts[i]!);
}

/**
 * buf[from, to) as text. ASCII, the common case, reads the same in UTF-8 and Latin-1, and
 * node checks for it and decodes it as Latin-1 several times faster than as UTF-8.
 */
function decodeText(buf: Buffer, from: number, to: number, encoding: "utf8" | "latin1"): string {
  return encoding === "latin1" || isAscii(buf.subarray(from, to)) ? buf.toString("latin1", from, to) : buf.toString("utf8", from, to);
}

/** Each line of buf[from, to) (whole lines, as decodeLines) as a copy of its bytes, without its terminator. */
function bytesOfLines(buf: Buffer, from: number, to: number, cr: boolean): Uint8Array[] {
  const lines: Uint8Array[] = [];
  const view = buf.subarray(0, to);
  for (let at = from; at < to; ) {
    let next = lineEnd(view, at, cr, true);
    if (next < 0) next = to; // not in a run of whole lines
    const last = buf[next - 1];
    const stop = last === NL ? (next - 2 >= at && buf[next - 2] === CR ? next - 2 : next - 1) : last === CR ? next - 1 : next;
    lines.push(new Uint8Array(buf.subarray(at, stop)));
    at = next;
  }
  return lines;
}

/** The unterminated last line of a file, as its encoding gives it. */
function lastLine(buf: Buffer, from: number, to: number, encoding: LineEncoding): Line {
  if (encoding === "bytes") return new Uint8Array(buf.subarray(from, to));
  return decodeText(buf, from, to, encoding);
}

/** Batches of the complete lines in buf[from, to) (which ends with a line terminator). */
function* batchesOf(buf: Buffer, from: number, to: number, batchLines: number, encoding: LineEncoding, cr: boolean): Generator<Line[], void, undefined> {
  const view = buf.subarray(0, to);
  while (from < to) {
    // Cut at a line end near BATCH_BYTES so one decode never makes a huge string array
    // (found: to-1 ends a line; never between the "\r" and "\n" of a "\r\n").
    const cut = to - from > BATCH_BYTES ? lineEnd(view, from + BATCH_BYTES - 1, cr, true) : to;
    const lines = decodeLines(buf, from, cut, encoding, cr);
    for (let i = 0; i < lines.length; i += batchLines) yield i === 0 && lines.length <= batchLines ? lines : lines.slice(i, i + batchLines);
    from = cut;
  }
}

/**
 * Lines of `source`, whose first byte is at file offset `base`. If `skipFirst`, bytes up to
 * and including the first line terminator are dropped. Stops after the line containing
 * offset `end` (lines starting after `end` belong to the next split).
 */
function* linesOf(source: ByteSource, base: number, skipFirst: boolean, end: number, initialSize: number, batchLines: number, encoding: LineEncoding): Generator<Line[], void, undefined> {
  let buf = Buffer.allocUnsafe(initialSize);
  let lo = 0; // first unconsumed byte: always a line start once skipping is over
  let hi = 0; // end of valid data
  let skipping = skipFirst;
  let eof = false;
  for (;;) {
    const view = buf.subarray(0, hi);
    // Whether a lone "\r" may end a line here: looked for natively once per read, so that
    // data without one ("\n" only) pays nothing more.
    const cr = view.indexOf(CR, lo) >= 0;
    if (skipping) {
      const next = lineEnd(view, lo, cr, eof);
      if (next >= 0) {
        skipping = false;
        lo = next;
      } else {
        // The skipped line may be huge: drop it as we go rather than buffering it (but a
        // final "\r" waits for the next byte, which may make it a "\r\n").
        lo = next === PENDING_CR ? hi - 1 : hi;
      }
    }
    if (!skipping) {
      if (base + lo > end) return; // the next line starts in the next split
      // Index of the byte at `end`: the first line end at or after it ends this split's last
      // line (a "\r" there ends it whatever follows).
      const lastByte = end - base;
      let runEnd = -1;
      let final = false;
      if (lastByte < hi) {
        runEnd = lineEnd(view, Math.max(lo, lastByte), cr, true);
        final = runEnd >= 0;
      }
      if (!final) runEnd = lastLineEnd(view, lo, cr, eof);
      if (runEnd > lo) {
        yield* batchesOf(buf, lo, runEnd, batchLines, encoding, cr);
        lo = runEnd;
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

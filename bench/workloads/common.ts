/**
 * Shared by the benchmark programs: fast chunked text reading for the baselines, a code-point
 * string order, and the result line. See bench/BASELINES.md for how the baselines are shaped.
 */
import { openSync, readSync, closeSync } from "node:fs";
import { isAscii } from "node:buffer";

/** Bytes read at a time: large enough that per-read and per-decode costs vanish. */
const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Calls `each` with the file's text in large pieces, each a run of whole lines, every line
 * ending in "\n" (the last line of a file without a final newline gets one), the lines being
 * exactly those tspark's textFile gives (Hadoop's LineRecordReader as line-reader.ts has it):
 * "\r\n" and a lone "\r" end a line as "\n" does, and a final line end makes no extra empty
 * line.
 *
 * Bytes are read 16 MiB at a time and cut after the last "\n" of the read (a "\n" byte is never
 * inside a UTF-8 sequence), the rest carried to the front of the buffer for the next read.
 * A piece is decoded as Latin-1 when it is all ASCII (one native check per piece; the same
 * characters as UTF-8 there, and a plain copy instead of UTF-8 decoding), else as UTF-8.
 * `ascii` tells the caller so. Callers scan the piece with indexOf/charCodeAt: no per-line
 * strings or split arrays.
 */
export function forEachChunk(path: string, each: (text: string, ascii: boolean) => void): void {
  const fd = openSync(path, "r");
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let have = 0; // bytes in buf, the carried partial line first
  try {
    for (;;) {
      if (have === buf.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = readSync(fd, buf, have, buf.length - have, null);
      if (n === 0) break;
      have += n;
      const end = buf.lastIndexOf(10, have - 1) + 1;
      if (end === 0) continue; // no line ends yet
      const bytes = buf.subarray(0, end);
      const ascii = isAscii(bytes);
      each(decode(bytes, ascii, false), ascii);
      buf.copy(buf, 0, end, have);
      have -= end;
    }
    if (have > 0) {
      const bytes = buf.subarray(0, have);
      const ascii = isAscii(bytes);
      each(decode(bytes, ascii, true), ascii);
    }
  } finally {
    closeSync(fd);
  }
}

function decode(bytes: Buffer, ascii: boolean, last: boolean): string {
  let text = ascii ? bytes.toString("latin1") : bytes.toString("utf8");
  if (bytes.indexOf(13) !== -1) text = text.replaceAll("\r\n", "\n").replaceAll("\r", "\n");
  if (last && !text.endsWith("\n")) text += "\n";
  return text;
}

/** Calls `each` for every line of a file (as textFile gives them); for small files and checks. */
export function forEachLine(path: string, each: (line: string) => void): void {
  forEachChunk(path, (text) => {
    for (let i = 0, nl; (nl = text.indexOf("\n", i)) !== -1; i = nl + 1) each(text.slice(i, nl));
  });
}

/** Strings by Unicode code point, as tspark orders keys (JS's `<` compares UTF-16 code units). */
export { compareStrings as compareCodePoints } from "../../src/util/ordering.js";

/**
 * Number(text.slice(from, to)) without making the string in the common case: a run of 1-15
 * ASCII digits (exact as a double) is parsed by hand; anything else goes to Number().
 */
export function parseNumber(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return Number(text.slice(from, to));
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number(text.slice(from, to));
    v = v * 10 + d;
  }
  return v;
}

/**
 * The one line the runner reads: the workload's result, the peak memory seen, and the job's
 * seconds from `jobStart` (performance.now() once the context is up: on Spark, its JVM start is not the job's).
 */
export function report(result: unknown, workerRssBytes: number[] = [], jobStart?: number): void {
  const jobSeconds = jobStart === undefined ? undefined : (performance.now() - jobStart) / 1000;
  console.log(`RESULT ${JSON.stringify({ result, driverRssBytes: process.resourceUsage().maxRSS * 1024, workerRssBytes, jobSeconds })}`);
}

/**
 * Calls `each` with every line's key (the text before its first tab) and where its value is
 * (`text` from `from` to `to`, the line's end); a line without a tab as the tspark programs
 * read it (l.slice(0, -1) as the key, the whole line as the value). The key is found by a
 * char loop: keys are short.
 */
export function forEachKey(path: string, each: (key: string, text: string, from: number, to: number) => void): void {
  forEachChunk(path, (text) => {
    for (let i = 0, n = text.length; i < n;) {
      let t = i;
      let c;
      while ((c = text.charCodeAt(t)) !== 9 && c !== 10) t++;
      const nl = c === 10 ? t : text.indexOf("\n", t);
      if (c === 9) each(text.slice(i, t), text, t + 1, nl);
      else each(text.slice(i, Math.max(i, nl - 1)), text, i, nl);
      i = nl + 1;
    }
  });
}

/** forEachKey with the value parsed in place (parseNumber). */
export function forEachKeyValue(path: string, each: (key: string, value: number) => void): void {
  forEachKey(path, (key, text, from, to) => each(key, parseNumber(text, from, to)));
}

/** The number of "\n" bytes in a file (the benchmarks' record counts). */
export function countLines(path: string): number {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 22);
  let n = 0;
  for (let r; (r = readSync(fd, buf, 0, buf.length, null)) > 0;) for (let i = buf.indexOf(10); i >= 0 && i < r; i = buf.indexOf(10, i + 1)) n++;
  closeSync(fd);
  return n;
}

/** The middle of the runs (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

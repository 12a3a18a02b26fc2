/**
 * Line reading over splits: every line of a file is read exactly once, whatever the split
 * boundaries, with the edges that break naive readers (CRLF across a boundary, a lone CR
 * ending a line, multibyte characters across split and read-buffer boundaries, empty lines,
 * no trailing newline, invalid UTF-8, huge lines) and gzip input, including corrupt and
 * truncated files.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, gunzipSync, constants as zlibConstants } from "node:zlib";
import { readLines, BATCH_BYTES, DEFAULT_BATCH_LINES, READ_SIZE, type LineEncoding } from "./line-reader.js";
import { planFileSplits, type FileSplit } from "./text-splits.js";
import { TsparkError } from "../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-lines-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Uint8Array, name = `f${n++}.txt`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** A line as a string: bytes (the "bytes" encoding) as Latin-1, so that every encoding compares as strings. */
const asText = (line: string | Uint8Array): string => (typeof line === "string" ? line : Buffer.from(line).toString("latin1"));

function readAll(split: FileSplit, batchSize?: number, encoding: LineEncoding = "utf8"): string[] {
  const out: string[] = [];
  for (const b of readLines(split, batchSize, encoding)) for (const line of b) out.push(asText(line));
  return out;
}

/** Reads a file cut at the given offsets (sorted, inside (0, total)): each split's lines. */
function readCutSplits(path: string, total: number, cuts: number[], encoding: LineEncoding = "utf8"): string[][] {
  const bounds = [0, ...cuts, total];
  const out: string[][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push(readAll({ path, start: bounds[i]!, length: bounds[i + 1]! - bounds[i]! }, undefined, encoding));
  return out;
}

/** Reads a file cut at the given offsets (sorted, inside (0, total)). */
function readCuts(path: string, total: number, cuts: number[], encoding: LineEncoding = "utf8"): string[] {
  return readCutSplits(path, total, cuts, encoding).flat();
}

/** Reads a file cut into splits of `size` bytes. */
function readSplit(path: string, total: number, size: number): string[] {
  const cuts: number[] = [];
  for (let s = size; s < total; s += size) cuts.push(s);
  return readCuts(path, total, cuts);
}

const CR = 13;
const LF = 10;

function decodeAs(bytes: Uint8Array, encoding: LineEncoding): string {
  return Buffer.from(bytes).toString(encoding === "utf8" ? "utf8" : "latin1");
}

/**
 * Hadoop's LineReader, written out byte by byte as the reference, independently of the
 * reader: from `at`, the line runs to the first "\n", "\r" or "\r\n" (one terminator).
 * Returns where the line's text ends and where the next line starts.
 */
function hadoopLine(bytes: Uint8Array, at: number): [number, number] {
  let i = at;
  while (i < bytes.length && bytes[i] !== LF && bytes[i] !== CR) i++;
  if (i === bytes.length) return [i, i];
  return [i, bytes[i] === CR && bytes[i + 1] === LF ? i + 2 : i + 1];
}

/**
 * The reference for one split, as Hadoop's LineRecordReader (Spark's textFile) reads it: a
 * split not at 0 first skips one line (from its own start, knowing nothing before it); it
 * then reads every line that starts at or before start+length, the last running past it.
 */
function hadoopSplit(bytes: Uint8Array, start: number, length: number, encoding: LineEncoding = "utf8"): string[] {
  const end = start + length;
  let pos = start === 0 ? 0 : hadoopLine(bytes, start)[1];
  const out: string[] = [];
  while (pos <= end && pos < bytes.length) {
    const [textEnd, next] = hadoopLine(bytes, pos);
    out.push(decodeAs(bytes.subarray(pos, textEnd), encoding));
    pos = next;
  }
  return out;
}

/** The reference for a whole file: what Spark returns, each line decoded on its own. */
function expected(bytes: Uint8Array, encoding: LineEncoding = "utf8"): string[] {
  return hadoopSplit(bytes, 0, bytes.length, encoding);
}

/** The reference for a file cut at the given offsets: each split's lines. */
function expectedSplits(bytes: Uint8Array, cuts: number[], encoding: LineEncoding = "utf8"): string[][] {
  const bounds = [0, ...cuts, bytes.length];
  return bounds.slice(0, -1).map((b, i) => hadoopSplit(bytes, b, bounds[i + 1]! - b, encoding));
}

const CASES: Record<string, string | Buffer> = {
  simple: "alpha\nbeta\ngamma\n",
  noTrailingNewline: "alpha\nbeta\ngamma",
  emptyLines: "\n\na\n\n\nb\n\n",
  onlyNewlines: "\n\n\n",
  crlf: "one\r\ntwo\r\n\r\nthree\r\n",
  crlfNoTrailing: "one\r\ntwo",
  loneCr: "a\rb\nc\r\rd\r",
  trailingCr: "x\r",
  crOnly: "one\rtwo\r\rthree\r",
  crOnlyNoTrailing: "one\rtwo",
  crThenCrlf: "a\r\r\nb\r\n\rc\n\r\n\r",
  mixed: "unix\nwindows\r\nmac\rend\n\r\r\n\n\r",
  onlyCrs: "\r\r\r",
  crUnicode: "é\r😀\r\n日\rx",
  unicode: "héllo wörld\n日本語のテキスト\n😀 emoji 😀\nmixed é😀日\n",
  unicodeCrlf: "é\r\n😀\r\n日\r\n",
  single: "x",
  onlyNewline: "\n",
  oneCharLines: "a\nb\nc\nd\ne\n",
  bom: "\ufeffheader\nrow\n",
  invalid: Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xc3, 0x0a, 0xe6, 0x97, 0x0a, 0xf0, 0x9f, 0x98, 0x0d, 0x0a, 0x80, 0x80]),
};

test("every split size reads every line exactly once", () => {
  for (const [name, content] of Object.entries(CASES)) {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const p = file(bytes);
    const want = expected(bytes);
    for (let size = 1; size <= bytes.length + 1; size++) {
      assert.deepEqual(readSplit(p, bytes.length, size), want, `${name}, split size ${size}`);
    }
    for (const encoding of ["latin1", "bytes"] as const) assert.deepEqual(readCuts(p, bytes.length, [], encoding), expected(bytes, encoding), `${name}, ${encoding}`);
  }
});

test("every placement of one and of two split boundaries", () => {
  for (const [name, content] of Object.entries(CASES)) {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const p = file(bytes);
    const want = expected(bytes);
    for (let a = 1; a < bytes.length; a++) {
      assert.deepEqual(readCuts(p, bytes.length, [a]), want, `${name}, cut at ${a}`);
      assert.deepEqual(readCutSplits(p, bytes.length, [a]), expectedSplits(bytes, [a]), `${name}, each split, cut at ${a}`);
      for (const encoding of ["latin1", "bytes"] as const) {
        assert.deepEqual(readCutSplits(p, bytes.length, [a], encoding), expectedSplits(bytes, [a], encoding), `${name}, ${encoding}, cut at ${a}`);
      }
      for (let b = a + 1; b < bytes.length; b++) assert.deepEqual(readCutSplits(p, bytes.length, [a, b]), expectedSplits(bytes, [a, b]), `${name}, cuts at ${a}, ${b}`);
    }
  }
});

test("the reference itself matches Spark's behaviour (Hadoop's LineReader: \\n, \\r and \\r\\n end a line)", () => {
  assert.deepEqual(expected(Buffer.from("a\r\nb\rc\n\nd")), ["a", "b", "c", "", "d"]);
  assert.deepEqual(expected(Buffer.from("a\r\r\nb\r")), ["a", "", "b"]);
  assert.deepEqual(expected(Buffer.from("a\n")), ["a"]);
  assert.deepEqual(expected(Buffer.from("")), []);
  // A split starting right after a "\r" skips the line starting there (the split before reads it);
  // a split starting at the "\n" of a "\r\n" skips just that "\n".
  const b = Buffer.from("ab\rcd\r\nef\n");
  assert.deepEqual(expectedSplits(b, [3]), [["ab", "cd"], ["ef"]]);
  assert.deepEqual(expectedSplits(b, [6]), [["ab", "cd"], ["ef"]]);
  assert.deepEqual(expectedSplits(b, [7]), [["ab", "cd", "ef"], []]);
});

test("a lone \\r ends a line, as in Spark's textFile (Hadoop's LineRecordReader)", () => {
  const p = file("one\rtwo\r\nthree\nfour\r");
  assert.deepEqual(readAll({ path: p, start: 0, length: 20 }), ["one", "two", "three", "four"]);
  for (const encoding of ["latin1", "bytes"] as const) assert.deepEqual(readAll({ path: p, start: 0, length: 20 }, undefined, encoding), ["one", "two", "three", "four"]);
  // A split starting right after a "\r": the line starting there is the split before's.
  assert.deepEqual(readAll({ path: p, start: 0, length: 4 }), ["one", "two"]);
  assert.deepEqual(readAll({ path: p, start: 4, length: 16 }), ["three", "four"]);
  // A "\r\n" straddling the split boundary is one terminator: no empty line, nothing read twice.
  assert.deepEqual(readAll({ path: p, start: 0, length: 8 }), ["one", "two"]);
  assert.deepEqual(readAll({ path: p, start: 8, length: 12 }), ["three", "four"]);
});

test("random files with a fixed seed, all split sizes and random cut sets", () => {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pieces = ["a", "b", "é", "日", "😀", "\n", "\n", "\r\n", "\r", " ", "\xff", "\x80"].map((s) =>
    s === "\xff" || s === "\x80" ? Buffer.from([s.charCodeAt(0)]) : Buffer.from(s, "utf8"),
  );
  for (let f = 0; f < 40; f++) {
    const parts: Buffer[] = [];
    const len = 1 + Math.floor(rnd() * 80);
    for (let i = 0; i < len; i++) parts.push(pieces[Math.floor(rnd() * pieces.length)]!);
    const bytes = Buffer.concat(parts);
    const p = file(bytes);
    const want = expected(bytes);
    for (let size = 1; size <= bytes.length; size++) assert.deepEqual(readSplit(p, bytes.length, size), want, `file ${bytes.toString("hex")} size ${size}`);
    for (let k = 0; k < 20; k++) {
      const cuts = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => 1 + Math.floor(rnd() * (bytes.length - 1))))]
        .filter((c) => c > 0 && c < bytes.length)
        .sort((x, y) => x - y);
      assert.deepEqual(readCutSplits(p, bytes.length, cuts), expectedSplits(bytes, cuts), `file ${bytes.toString("hex")} cuts ${cuts}`);
      const encoding = (["latin1", "bytes"] as const)[k % 2]!;
      assert.deepEqual(readCutSplits(p, bytes.length, cuts, encoding), expectedSplits(bytes, cuts, encoding), `${encoding}, file ${bytes.toString("hex")} cuts ${cuts}`);
    }
  }
});

test("planFileSplits + readLines: every minPartitions reads the file exactly", () => {
  const lines = Array.from({ length: 500 }, (_, i) => `${i}:${["é", "日", "😀", "x"].slice(0, i % 5).join("")}${i % 9 === 0 ? "\r" : ""}`);
  const bytes = Buffer.from(lines.join("\n") + "\n");
  const p = file(bytes);
  const want = expected(bytes);
  for (let m = 1; m <= 64; m++) {
    const got = planFileSplits([p], m).flatMap((s) => readAll(s));
    assert.deepEqual(got, want, `minPartitions ${m}`);
  }
});

test("a multibyte character straddling a read-buffer boundary decodes intact", () => {
  // A split of 1 byte at 0 starts with a 64 KiB buffer; the first line then runs past it,
  // so the buffer is refilled and grown with the character cut at every possible byte.
  for (const ch of ["é", "日", "😀"]) {
    for (let shift = 0; shift < 4; shift++) {
      const prefix = "a".repeat(64 * 1024 - shift);
      const text = `${prefix}${ch}tail\nnext\n`;
      const p = file(text);
      assert.deepEqual(readAll({ path: p, start: 0, length: 1 }), [`${prefix}${ch}tail`], `${ch} shift ${shift}`);
      assert.deepEqual(readAll({ path: p, start: 0, length: Buffer.byteLength(text) }), [`${prefix}${ch}tail`, "next"]);
    }
  }
  // And at the 1 MiB read size, the emoji starting 1 byte before it.
  const prefix = "a".repeat(1024 * 1024 - 1);
  const text = `${prefix}😀tail\nnext\n`;
  assert.deepEqual(readAll({ path: file(text), start: 0, length: Buffer.byteLength(text) }), [`${prefix}😀tail`, "next"]);
});

test("many lines across many buffer refills and splits", () => {
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines = Array.from({ length: 60_000 }, (_, i) => `${i} ${["é", "日", "😀", "a", "b", "\r"][Math.floor(rnd() * 6)]!.repeat(Math.floor(rnd() * 40))}`);
  const bytes = Buffer.from(lines.join("\r\n"));
  const p = file(bytes);
  const want = expected(bytes);
  for (const size of [1000, 65_537, 300_001, 1024 * 1024, bytes.length]) assert.deepEqual(readSplit(p, bytes.length, size), want, `split size ${size}`);
});

test("a \\r\\n or a lone \\r at a read-buffer boundary, and a file of \\r-ended lines larger than a batch and a read", () => {
  // A split of 1 byte at 0 reads 64 KiB first; a whole file over 1 MiB reads READ_SIZE first.
  for (const first of [64 * 1024, READ_SIZE]) {
    for (let shift = -1; shift <= 1; shift++) {
      for (const [ending, rest] of [["\r\n", "next\r\n"], ["\r", "next\r"], ["\r", "\nnext"], ["\r", "\rnext"]] as const) {
        const prefix = "a".repeat(first - 1 + shift);
        const bytes = Buffer.from(`${prefix}${ending}${rest}${"z".repeat(first === READ_SIZE ? 10 : 0)}\n`);
        const p = file(bytes);
        for (const length of [1, bytes.length]) {
          for (const encoding of shift === 0 ? (["utf8", "latin1", "bytes"] as const) : (["utf8"] as const)) {
            assert.deepEqual(readAll({ path: p, start: 0, length }, undefined, encoding), hadoopSplit(bytes, 0, length, encoding), `${first} ${shift} ${JSON.stringify(ending + rest)} length ${length} ${encoding}`);
          }
        }
      }
    }
  }
  // A split not at 0 skipping a first line so long that its "\r\n" (or lone "\r") straddles
  // a later read (of READ_SIZE bytes each, the skipped bytes dropped as they are read).
  const start = 3;
  const length = 3 * READ_SIZE;
  for (let shift = -1; shift <= 1; shift++) {
    for (const ending of ["\r\n", "\r", "\n"]) {
      const bytes = Buffer.from(`${"s".repeat(start + 2 * READ_SIZE - 1 + shift)}${ending}${"after\r\n".repeat(200_000)}`);
      const p = file(bytes);
      const want = hadoopSplit(bytes, start, length);
      assert.deepEqual(readAll({ path: p, start, length }), want, `skip ${shift} ${JSON.stringify(ending)}`);
      if (shift === 0) assert.deepEqual(readAll({ path: p, start, length }, undefined, "bytes"), want, `skip ${JSON.stringify(ending)}, bytes`);
    }
  }
  // Old Mac text: "\r" only, 3 MB, read whole (in batches) and in splits.
  const lines = Array.from({ length: 200_000 }, (_, i) => `mac line ${i}`);
  const bytes = Buffer.from(lines.join("\r") + "\r");
  const p = file(bytes);
  assert.deepEqual(readAll({ path: p, start: 0, length: bytes.length }), lines);
  const batches = [...readLines({ path: p, start: 0, length: bytes.length })];
  assert.ok(batches.length > 1 && batches.every((b) => b.length <= DEFAULT_BATCH_LINES));
  assert.deepEqual(readSplit(p, bytes.length, 300_001), lines);
  assert.deepEqual(readAll({ path: p, start: 0, length: bytes.length }, 7, "bytes"), lines);
  // Windows text with a lone "\r" inside some lines, in a gzip file: its decompressed chunks end anywhere.
  const win = Array.from({ length: 100_000 }, (_, i) => `${i}${i % 3 === 0 ? "\r" : ""}${"é".repeat(i % 4)}`);
  const winBytes = Buffer.from(win.join("\r\n") + "\r\n");
  const gz = file(gzipSync(winBytes), "win.txt.gz");
  for (const encoding of ["utf8", "latin1", "bytes"] as const) assert.deepEqual(readAll({ path: gz, start: 0, length: 1 }, undefined, encoding), expected(winBytes, encoding), encoding);
  assert.deepEqual(readAll({ path: file(gzipSync("a\rb\r"), "cr.gz"), start: 0, length: 1 }), ["a", "b"]);
});

test("lines longer than the read buffer, a 20 MB line, and a huge line skipped by later splits", () => {
  const long = "x".repeat(3 * 1024 * 1024 + 17);
  const text = `short\n${long}\nafter\n`;
  const p = file(text);
  const total = Buffer.byteLength(text);
  assert.deepEqual(readAll({ path: p, start: 0, length: total }), ["short", long, "after"]);
  assert.deepEqual(readSplit(p, total, 1024 * 1024), ["short", long, "after"]);
  assert.deepEqual(readSplit(p, total, 777), ["short", long, "after"]);

  const huge = "é".repeat(10 * 1024 * 1024); // 20 MiB of UTF-8 on one line
  const hugeText = `${huge}\nend`;
  const p2 = file(hugeText);
  const size = Buffer.byteLength(hugeText);
  const got = readAll({ path: p2, start: 0, length: size });
  assert.equal(got.length, 2);
  assert.equal(got[0], huge);
  assert.equal(got[1], "end");
  // Four splits: the first reads the huge line, the middle ones nothing, the last "end".
  const quarter = Math.ceil(size / 4);
  const parts = [0, 1, 2, 3].map((i) => readAll({ path: p2, start: i * quarter, length: Math.min(quarter, size - i * quarter) }));
  assert.deepEqual(parts.map((ls) => ls.length), [1, 0, 0, 1]);
  assert.equal(parts[3]![0], "end");
});

test("batches: at most batchSize lines and about BATCH_BYTES each, in order", () => {
  const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i}`);
  const p = file(lines.join("\n"));
  const split = { path: p, start: 0, length: Buffer.byteLength(lines.join("\n")) };
  const batches = [...readLines(split, 3)];
  assert.ok(batches.every((b) => b.length >= 1 && b.length <= 3));
  assert.deepEqual(batches.flat(), lines);
  const big = Array.from({ length: 100_000 }, (_, i) => `${i} ${"y".repeat(20)}`);
  const p2 = file(big.join("\n") + "\n");
  const def = [...readLines({ path: p2, start: 0, length: 1e9 })];
  assert.ok(def.length > 1);
  for (const b of def) {
    assert.ok(b.length <= DEFAULT_BATCH_LINES);
    assert.ok(Buffer.byteLength(b.join("\n")) <= BATCH_BYTES + 64, "about BATCH_BYTES of text per batch");
  }
  assert.deepEqual(def.flat(), big);
  assert.throws(() => [...readLines(split, 0)], (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
});

test("text is decoded in runs that stay regular heap objects: under 128 KB as a string, non-Latin-1 text included", () => {
  // A decoded run over V8's regular object size is made in the large-object space and, when
  // a young collection finds it live, promoted whole with the lines it holds.
  const REGULAR_OBJECT_BYTES = 128 * 1024;
  for (const [name, line] of [["ASCII", "ascii words, a line of them"], ["two-byte", "größe 東京 λόγος"]] as const) {
    const lines = Array.from({ length: 40_000 }, (_, i) => `${i} ${line}`);
    const p = file(lines.join("\n") + "\n");
    const batches = [...readLines({ path: p, start: 0, length: 1e9 })];
    assert.deepEqual(batches.flat(), lines);
    const twoByte = [...line].some((c) => c.charCodeAt(0) > 0xff);
    for (const b of batches) {
      const units = b.reduce((n, l) => n + l.length + 1, 0);
      assert.ok(units * (twoByte ? 2 : 1) < REGULAR_OBJECT_BYTES, `${name}: a batch of ${units} characters came from one decoded run over ${REGULAR_OBJECT_BYTES} bytes`);
    }
  }
});

test("invalid UTF-8 bytes become U+FFFD, never an error", () => {
  const p = file(Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xc3, 0x0a, 0xe6, 0x97, 0x0a, 0xed, 0xa0, 0x80, 0x0a]));
  assert.deepEqual(readAll({ path: p, start: 0, length: 13 }), ["a\ufffdb", "\ufffd", "\ufffd", "\ufffd\ufffd\ufffd"]);
});

test("empty files, empty splits, and splits past the end have no lines", () => {
  const p = file("");
  assert.deepEqual(readAll({ path: p, start: 0, length: 0 }), []);
  assert.deepEqual(readAll({ path: "", start: 0, length: 0 }), []); // the placeholder split of an empty input
  const q = file("abc\n");
  assert.deepEqual(readAll({ path: q, start: 4, length: 10 }), []);
  assert.deepEqual(readAll({ path: q, start: 100, length: 10 }), []);
});

test("a file removed after planning is INPUT_NOT_FOUND naming it", () => {
  assert.throws(
    () => readAll({ path: join(dir, "gone.txt"), start: 0, length: 5 }),
    (e: unknown) => e instanceof TsparkError && e.code === "INPUT_NOT_FOUND" && /gone\.txt/.test(e.message),
  );
});

test("gzip files are decompressed as one split, multi-member files included", () => {
  const text = "one\ntwo\r\nthree";
  const p = file(gzipSync(text), "a.txt.gz");
  assert.deepEqual(readAll({ path: p, start: 0, length: 1 }), ["one", "two", "three"]);
  assert.deepEqual(readAll({ path: p, start: 5, length: 10 }), [], "only the split at offset 0 reads a gzip file");
  const big = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${["z", "é", "😀"][i % 3]!.repeat(i % 50)}`);
  const p2 = file(gzipSync(big.join("\n") + "\n"), "big.txt.gz");
  assert.deepEqual(readAll({ path: p2, start: 0, length: 1 }), big);
  // Members cut mid-line and mid-character: the stream is one byte sequence.
  const bytes = Buffer.from(big.join("\n"));
  const members = [0, 1000, 1001, 70_000, 70_003, 200_000, bytes.length].map((c, i, a) => (i + 1 < a.length ? gzipSync(bytes.subarray(c, a[i + 1])) : Buffer.alloc(0)));
  const p3 = file(Buffer.concat(members), "multi.gz");
  assert.deepEqual(readAll({ path: p3, start: 0, length: 1 }), big);
  assert.deepEqual(readAll({ path: file(gzipSync(""), "empty.gz"), start: 0, length: 20 }), []);
  assert.deepEqual(readAll({ path: file("", "zero.gz"), start: 0, length: 0 }), []);
  const long = "q".repeat(5 * 1024 * 1024);
  assert.deepEqual(readAll({ path: file(gzipSync(`${long}\nz\n`), "long.gz"), start: 0, length: 1 }), [long, "z"]);
});

test("a corrupt or truncated gzip file is a clear error naming it, at any cut", () => {
  const isGzError = (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT" && /gzip file .*\.gz/.test(e.message);
  const bad = file(Buffer.concat([gzipSync("hello world\n").subarray(0, 12), Buffer.from("garbage")]), "bad.gz");
  assert.throws(() => readAll({ path: bad, start: 0, length: 1 }), isGzError);
  assert.throws(() => readAll({ path: file("plain text, not gzip\n", "plain.gz"), start: 0, length: 1 }), isGzError);
  const z = Buffer.concat([gzipSync("hello world line\n".repeat(300)), gzipSync("second member\n")]);
  const boundary = gzipSync("hello world line\n".repeat(300)).length;
  for (let cut = 1; cut < z.length; cut++) {
    const p = file(z.subarray(0, cut), `cut${cut}.gz`);
    if (cut === boundary) assert.equal(readAll({ path: p, start: 0, length: cut }).length, 300, "a whole first member is valid gzip");
    else assert.throws(() => readAll({ path: p, start: 0, length: cut }), isGzError, `cut at ${cut}`);
  }
  const flipped = Buffer.from(gzipSync("some text that will be damaged\n".repeat(50)));
  flipped[flipped.length - 6] = flipped[flipped.length - 6]! ^ 0xff; // the stored CRC-32
  assert.throws(() => readAll({ path: file(flipped, "crc.gz"), start: 0, length: 1 }), isGzError);
});

/** The compressed byte offset a gzip error names, checking it names the file too. */
function gzipErrorOffset(path: string): number {
  try {
    readAll({ path, start: 0, length: 1 });
  } catch (e) {
    assert.ok(e instanceof TsparkError && e.code === "INVALID_ARGUMENT", String(e));
    assert.ok(e.message.includes(path), e.message);
    const m = /at compressed byte (\d+)/.exec(e.message);
    assert.ok(m, e.message);
    return Number(m[1]);
  }
  assert.fail(`reading ${path} did not fail`);
}

/**
 * Node's zlib (independent of the reader) as the judge of where damage in a gzip stream
 * shows: the fewest bytes from the start that zlib, flushing what it can, refuses.
 */
function zlibDetects(bytes: Buffer): number {
  const fails = (k: number) => {
    try {
      gunzipSync(bytes.subarray(0, k), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      return false;
    } catch {
      return true;
    }
  };
  let lo = 0;
  let hi = bytes.length; // fails(hi)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fails(mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1; // the last byte given
}

test("a damaged gzip file's error names the file and the compressed byte where the damage was found", () => {
  let seed = 99;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  // Text that compresses to a few hundred KB, several of the reader's 64 KiB input chunks.
  const text = Array.from({ length: 60_000 }, (_, i) => `row ${i} ${Math.floor(rnd() * 1e12).toString(36)}`).join("\n") + "\n";
  const z = gzipSync(text);
  assert.ok(z.length > 4 * 64 * 1024);
  // Truncated in the middle of the deflate stream: found at the end of the file.
  const cut = Math.floor(z.length / 2) + 1234;
  assert.equal(gzipErrorOffset(file(z.subarray(0, cut), "truncated.gz")), cut);
  // A byte damaged in the middle (most such damage shows only at the CRC-32 check; some
  // makes the deflate data invalid): found at or shortly after it, where zlib (reading the
  // same bytes, independently) finds it, or a little later.
  const damaged = (bytes: Buffer, from: number, to: number, name: string): number => {
    let checked = 0;
    for (let at = from; at < to && checked < 3; at += 1009) {
      const bad = Buffer.from(bytes);
      bad[at] = 0xff;
      const zlibAt = zlibDetects(bad);
      if (zlibAt >= bad.length - 8) continue; // not seen until the CRC-32 check: try another place
      const got = gzipErrorOffset(file(bad, `${name}${at}.gz`));
      // fflate checks less than zlib (not a Huffman table's completeness, say), so it may find
      // the damage later than zlib does (by 26 KB in one case here), never sooner.
      assert.ok(got >= at && got >= zlibAt - 8 && got - at < 64 * 1024, `${name}: damaged at ${at}, error at ${got}, zlib finds it at ${zlibAt}`);
      checked++;
    }
    return checked;
  };
  assert.equal(damaged(z, Math.floor(z.length / 2), z.length - 8, "damaged"), 3);
  // A multi-member file: damage in the second member is placed in the file, not the member.
  const second = gzipSync(text.slice(0, 300_000));
  const multi = Buffer.concat([z, second]);
  assert.ok(damaged(multi, z.length + Math.floor(second.length / 2), multi.length - 8, "multi") >= 1);
  // The first member's stored CRC-32 damaged: named at that member's trailer.
  const badCrc = Buffer.from(multi);
  badCrc[z.length - 8] = badCrc[z.length - 8]! ^ 1;
  assert.equal(gzipErrorOffset(file(badCrc, "crc1.gz")), z.length - 8);
  // Not gzip at all, and garbage after a whole member: named where the member header should be.
  assert.equal(gzipErrorOffset(file("plain text, not gzip\n".repeat(10_000), "plain2.gz")), 0);
  assert.equal(gzipErrorOffset(file(Buffer.concat([z, Buffer.from("garbage, not a gzip member")]), "trailing.gz")), z.length);
});

test("a line starting exactly at a split's start belongs to the split before, as in Hadoop's LineRecordReader (Spark's textFile)", () => {
  const p = file("aaa\nbbb\nccc\n");
  assert.deepEqual(readAll({ path: p, start: 0, length: 4 }), ["aaa", "bbb"]);
  assert.deepEqual(readAll({ path: p, start: 4, length: 8 }), ["ccc"]);
  // A boundary inside a line: the line goes to the split it starts in.
  assert.deepEqual(readAll({ path: p, start: 0, length: 5 }), ["aaa", "bbb"]);
  assert.deepEqual(readAll({ path: p, start: 5, length: 7 }), ["ccc"]);
  // The split before ends at "\n": the next line (starting after it) is the next split's.
  assert.deepEqual(readAll({ path: p, start: 0, length: 3 }), ["aaa"]);
  assert.deepEqual(readAll({ path: p, start: 3, length: 9 }), ["bbb", "ccc"]);
});

test("runs of ASCII lines and runs of UTF-8 lines in one file decode alike (ASCII is read as Latin-1, faster)", () => {
  const d = mkdtempSync(join(tmpdir(), "tspark-ascii-"));
  try {
    // Over BATCH_BYTES of ASCII, then lines with multibyte characters, then ASCII again: some decoded runs are pure ASCII, some not.
    const lines = [
      ...Array.from({ length: Math.ceil(BATCH_BYTES / 30) + 10 }, (_, i) => `ascii line number ${i}`),
      ...Array.from({ length: 5000 }, (_, i) => `${i} é日😀 \u0080 ÿ`),
      ...Array.from({ length: 5000 }, (_, i) => `tail ${i}`),
    ];
    const path = join(d, "mixed.txt");
    writeFileSync(path, lines.join("\n") + "\n");
    const got: string[] = [];
    for (const batch of readLines({ path, start: 0, length: Buffer.byteLength(lines.join("\n")) + 1 })) got.push(...batch);
    assert.deepEqual(got, lines);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

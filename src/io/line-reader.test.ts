/**
 * Line reading over splits: every line of a file is read exactly once, whatever the split
 * boundaries, with the edges that break naive readers (CRLF across a boundary, multibyte
 * characters across split and read-buffer boundaries, empty lines, no trailing newline,
 * invalid UTF-8, huge lines) and gzip input, including corrupt and truncated files.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readLines, BATCH_BYTES, DEFAULT_BATCH_LINES } from "./line-reader.js";
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

function readAll(split: FileSplit, batchSize?: number): string[] {
  const out: string[] = [];
  for (const b of readLines(split, batchSize)) out.push(...b);
  return out;
}

/** Reads a file cut at the given offsets (sorted, inside (0, total)). */
function readCuts(path: string, total: number, cuts: number[]): string[] {
  const bounds = [0, ...cuts, total];
  const out: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push(...readAll({ path, start: bounds[i]!, length: bounds[i + 1]! - bounds[i]! }));
  return out;
}

/** Reads a file cut into splits of `size` bytes. */
function readSplit(path: string, total: number, size: number): string[] {
  const cuts: number[] = [];
  for (let s = size; s < total; s += size) cuts.push(s);
  return readCuts(path, total, cuts);
}

/**
 * The reference: what Spark returns, computed on bytes independently of the reader. Lines
 * split at "\n", one "\r" before it (or at end of file) dropped, no extra line after a
 * final "\n", each line decoded on its own.
 */
function expected(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let from = 0;
  const dec = (a: number, b: number) => {
    if (b > a && bytes[b - 1] === 13) b--;
    out.push(Buffer.from(bytes.subarray(a, b)).toString("utf8"));
  };
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10) {
      dec(from, i);
      from = i + 1;
    }
  }
  if (from < bytes.length) dec(from, bytes.length);
  return out;
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
  }
});

test("every placement of one and of two split boundaries", () => {
  for (const [name, content] of Object.entries(CASES)) {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const p = file(bytes);
    const want = expected(bytes);
    for (let a = 1; a < bytes.length; a++) {
      assert.deepEqual(readCuts(p, bytes.length, [a]), want, `${name}, cut at ${a}`);
      for (let b = a + 1; b < bytes.length; b++) assert.deepEqual(readCuts(p, bytes.length, [a, b]), want, `${name}, cuts at ${a}, ${b}`);
    }
  }
});

test("the reference itself matches Spark's documented behaviour", () => {
  assert.deepEqual(expected(Buffer.from("a\r\nb\rc\n\nd")), ["a", "b\rc", "", "d"]);
  assert.deepEqual(expected(Buffer.from("a\n")), ["a"]);
  assert.deepEqual(expected(Buffer.from("")), []);
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
      assert.deepEqual(readCuts(p, bytes.length, cuts), want, `file ${bytes.toString("hex")} cuts ${cuts}`);
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

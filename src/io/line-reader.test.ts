/**
 * Line reading over splits: every line of a file is read exactly once, whatever the split
 * size, with the edges that break naive readers (CRLF across a boundary, multibyte
 * characters across boundaries, empty lines, no trailing newline, invalid UTF-8, huge lines).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readLines } from "./line-reader.js";
import type { FileSplit } from "./text-splits.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-lines-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer, name = `f${n++}.txt`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function readAll(split: FileSplit): string[] {
  const out: string[] = [];
  for (const b of readLines(split)) out.push(...b);
  return out;
}

/** Reads a file cut into splits of `size` bytes. */
function readSplit(path: string, total: number, size: number): string[] {
  const out: string[] = [];
  for (let s = 0; s < total; s += size) out.push(...readAll({ path, start: s, length: Math.min(size, total - s) }));
  return out;
}

/** What Spark returns for a text: lines split on \n, \r\n stripped, no extra line after a final newline. */
function expected(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

const CASES: Record<string, string> = {
  simple: "alpha\nbeta\ngamma\n",
  noTrailingNewline: "alpha\nbeta\ngamma",
  emptyLines: "\n\na\n\n\nb\n\n",
  crlf: "one\r\ntwo\r\n\r\nthree\r\n",
  loneCr: "a\rb\nc\r",
  unicode: "héllo wörld\n日本語のテキスト\n😀 emoji 😀\nmixed é😀日\n",
  single: "x",
  onlyNewline: "\n",
};

test("every split size reads every line exactly once", () => {
  for (const [name, text] of Object.entries(CASES)) {
    const bytes = Buffer.from(text, "utf8");
    const p = file(bytes);
    for (let size = 1; size <= bytes.length + 1; size++) {
      assert.deepEqual(readSplit(p, bytes.length, size), expected(text), `${name}, split size ${size}`);
    }
  }
});

test("random files with a fixed seed, all split sizes", () => {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const alphabet = ["a", "b", "é", "日", "😀", "\n", "\n", "\r\n", " "];
  for (let f = 0; f < 12; f++) {
    let text = "";
    const len = 1 + Math.floor(rnd() * 60);
    for (let i = 0; i < len; i++) text += alphabet[Math.floor(rnd() * alphabet.length)];
    const bytes = Buffer.from(text, "utf8");
    const p = file(bytes);
    for (let size = 1; size <= bytes.length; size++) assert.deepEqual(readSplit(p, bytes.length, size), expected(text), `file ${JSON.stringify(text)} size ${size}`);
  }
});

test("lines longer than the read buffer, and a 20 MB line", () => {
  const long = "x".repeat(3 * 1024 * 1024 + 17);
  const text = `short\n${long}\nafter\n`;
  const p = file(text);
  assert.deepEqual(readAll({ path: p, start: 0, length: Buffer.byteLength(text) }), ["short", long, "after"]);
  const total = Buffer.byteLength(text);
  assert.deepEqual(readSplit(p, total, 1024 * 1024), ["short", long, "after"]);
  const huge = "é".repeat(10 * 1024 * 1024); // 20 MB of UTF-8
  const p2 = file(`${huge}\nend`);
  const got = readAll({ path: p2, start: 0, length: Buffer.byteLength(huge) + 4 });
  assert.equal(got.length, 2);
  assert.equal(got[0]!.length, huge.length);
  assert.equal(got[1], "end");
});

test("a multibyte character straddling the 1 MiB read boundary decodes intact", () => {
  const prefix = "a".repeat(1024 * 1024 - 1); // the 4-byte emoji starts 1 byte before the boundary
  const text = `${prefix}😀tail\nnext\n`;
  const p = file(text);
  assert.deepEqual(readAll({ path: p, start: 0, length: Buffer.byteLength(text) }), [`${prefix}😀tail`, "next"]);
});

test("invalid UTF-8 bytes become U+FFFD, never an error", () => {
  const p = file(Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xc3, 0x0a, 0xe6, 0x97, 0x0a]));
  assert.deepEqual(readAll({ path: p, start: 0, length: 9 }), ["a\ufffdb", "\ufffd", "\ufffd"]);
});

test("empty files and empty splits have no lines", () => {
  const p = file("");
  assert.deepEqual(readAll({ path: p, start: 0, length: 0 }), []);
  assert.deepEqual(readAll({ path: "", start: 0, length: 0 }), []);
});

test("gzip files are decompressed as one split; a corrupt one is a clear error", () => {
  const text = "one\ntwo\r\nthree";
  const p = file(gzipSync(text), "a.txt.gz");
  assert.deepEqual(readAll({ path: p, start: 0, length: 1 }), ["one", "two", "three"]);
  const big = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${"z".repeat(i % 50)}`);
  const p2 = file(gzipSync(big.join("\n") + "\n"), "big.txt.gz");
  assert.deepEqual(readAll({ path: p2, start: 0, length: 1 }), big);
  const bad = file(Buffer.concat([gzipSync("hello world\n").subarray(0, 12), Buffer.from("garbage")]), "bad.gz");
  assert.throws(() => readAll({ path: bad, start: 0, length: 1 }), /gzip file .*bad\.gz/);
});

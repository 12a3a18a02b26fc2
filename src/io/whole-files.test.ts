/**
 * Whole-file reads (text with gzip and invalid UTF-8, raw bytes) and fixed-length binary
 * records: aligned splits, every record exactly once, clear errors for bad sizes.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readWholeTextFile, readBinaryFile, planRecordSplits, readBinaryRecords } from "./whole-files.js";
import { TsparkError } from "../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-whole-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const code = (c: string) => (e: unknown) => e instanceof TsparkError && e.code === c;

test("whole text files: UTF-8, gzip decompressed, invalid bytes replaced", () => {
  assert.equal(readWholeTextFile(file("w.txt", "héllo\r\nwörld 😀\n")), "héllo\r\nwörld 😀\n");
  assert.equal(readWholeTextFile(file("w.txt.gz", gzipSync("héllo\nwörld"))), "héllo\nwörld");
  assert.equal(readWholeTextFile(file("multi.gz", Buffer.concat([gzipSync("a\n"), gzipSync("b\n")]))), "a\nb\n");
  assert.equal(readWholeTextFile(file("bad.txt", Uint8Array.from([0x61, 0xff, 0x62]))), "a\ufffdb");
  assert.equal(readWholeTextFile(file("empty.txt", "")), "");
  assert.equal(readWholeTextFile(file("empty.gz", "")), "");
  assert.throws(() => readWholeTextFile(file("corrupt.gz", "not gzip at all")), (e: unknown) => code("INVALID_ARGUMENT")(e) && /corrupt\.gz/.test((e as Error).message));
  assert.throws(() => readWholeTextFile(join(dir, "missing.txt")), code("INPUT_NOT_FOUND"));
});

test("binary files: exact bytes as a plain Uint8Array", () => {
  const data = bytes(10_000);
  const got = readBinaryFile(file("b.bin", data));
  assert.equal(Object.getPrototypeOf(got), Uint8Array.prototype);
  assert.equal(got.byteLength, got.buffer.byteLength, "not a view into a shared pool");
  assert.deepEqual(got, data);
  assert.deepEqual(readBinaryFile(file("tiny.bin", bytes(3))), bytes(3));
  assert.deepEqual(readBinaryFile(file("none.bin", "")), new Uint8Array(0));
});

test("binary records: aligned splits reading every record exactly once, for any minPartitions", () => {
  const p = file("rec.bin", bytes(40));
  const q = file("rec2.bin", bytes(24, 100));
  for (let m = 1; m <= 20; m++) {
    const splits = planRecordSplits([p, q], 4, m);
    assert.ok(splits.every((s) => s.start % 4 === 0 && s.length % 4 === 0 && s.length > 0), `aligned, minPartitions ${m}`);
    assert.ok(splits.length >= Math.min(m, 16), `minPartitions ${m}: ${splits.length} splits`);
    const recs = splits.flatMap((s) => [...readBinaryRecords(s, 4)].flat());
    assert.deepEqual(recs.map((r) => [...r]), [...Array.from({ length: 10 }, (_, i) => [...bytes(4, i * 4)]), ...Array.from({ length: 6 }, (_, i) => [...bytes(4, 100 + i * 4)])]);
  }
  assert.deepEqual(planRecordSplits([p], 4, 1), [{ path: p, start: 0, length: 40 }]);
  assert.deepEqual(
    planRecordSplits([p], 4, 3).map((s) => [s.start, s.length]),
    [[0, 12], [12, 12], [24, 12], [36, 4]],
    "Hadoop's rule in records: 10 records / 3 = 3 per split, and a 1.33-split tail is cut",
  );
});

test("binary records: batches of about 1 MiB, records larger than a batch", () => {
  const p = file("big.bin", bytes(3 * 1024 * 1024));
  const batches = [...readBinaryRecords({ path: p, start: 0, length: 3 * 1024 * 1024 }, 16)];
  assert.ok(batches.length > 1 && batches.every((b) => b.length <= 4096));
  assert.equal(batches.reduce((a, b) => a + b.length, 0), (3 * 1024 * 1024) / 16);
  const huge = [...readBinaryRecords({ path: p, start: 0, length: 3 * 1024 * 1024 }, 1536 * 1024)];
  assert.deepEqual(huge.map((b) => b.length), [1, 1]);
  assert.equal(huge[1]![0]![0], (1536 * 1024) & 0xff);
});

test("binary records: clear errors for sizes that do not divide, bad lengths, and misaligned splits", () => {
  const p = file("odd.bin", bytes(10));
  assert.throws(() => planRecordSplits([p], 3, 1), (e: unknown) => code("INVALID_ARGUMENT")(e) && /odd\.bin has 10 bytes, not a multiple of the record length 3/.test((e as Error).message));
  assert.throws(() => planRecordSplits([p], 0, 1), code("INVALID_ARGUMENT"));
  assert.throws(() => planRecordSplits([p], 2.5, 1), code("INVALID_ARGUMENT"));
  assert.throws(() => planRecordSplits([join(dir, "gone.bin")], 2, 1), code("INPUT_NOT_FOUND"));
  assert.throws(() => [...readBinaryRecords({ path: p, start: 1, length: 4 }, 2)], code("INVALID_ARGUMENT"));
  assert.throws(() => [...readBinaryRecords({ path: p, start: 0, length: 20 }, 2)], (e: unknown) => code("INVALID_ARGUMENT")(e) && /truncated/.test((e as Error).message));
});

test("binary records: empty files and no files", () => {
  const e = file("empty.bin", "");
  assert.deepEqual(planRecordSplits([e], 4, 3), [{ path: e, start: 0, length: 0 }]);
  assert.deepEqual(planRecordSplits([], 4, 3), [{ path: "", start: 0, length: 0 }]);
  assert.deepEqual([...readBinaryRecords({ path: e, start: 0, length: 0 }, 4)], []);
});

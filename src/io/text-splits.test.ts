/**
 * Split planning follows Hadoop's FileInputFormat: goal size from minPartitions, a 32 MiB
 * cap, 10% slop, gzip unsplittable, one split per empty file, at least one split overall;
 * past the cap, equal splits in a multiple of the default parallelism.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { planFileSplits, splitSizeFor, cutFile, BLOCK_SIZE, type FileSplit } from "./text-splits.js";
import { TsparkError } from "../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-splits-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, size: number): string {
  const p = join(dir, name);
  writeFileSync(p, "x".repeat(size));
  return p;
}

const ranges = (splits: FileSplit[]) => splits.map((s) => [s.start, s.length]);

/** Every file is covered by consecutive splits, in order, with no gap or overlap. */
function assertCovers(splits: FileSplit[], files: Array<[string, number]>): void {
  let i = 0;
  for (const [path, size] of files) {
    let pos = 0;
    do {
      const s = splits[i++]!;
      assert.equal(s.path, path);
      assert.equal(s.start, pos);
      pos += s.length;
    } while (pos < size);
    assert.equal(pos, size);
  }
  assert.equal(i, splits.length);
}

test("a 100-byte file: minPartitions 4 gives 4 x 25, 1 gives 1, 3 gives 33/33/34", () => {
  const p = file("hundred.txt", 100);
  assert.deepEqual(ranges(planFileSplits([p], 4)), [[0, 25], [25, 25], [50, 25], [75, 25]]);
  assert.deepEqual(ranges(planFileSplits([p], 1)), [[0, 100]]);
  assert.deepEqual(ranges(planFileSplits([p], 0)), [[0, 100]], "0 is treated as 1");
  assert.deepEqual(ranges(planFileSplits([p], 3)), [[0, 33], [33, 33], [66, 34]]);
  assert.deepEqual(planFileSplits([p], 2).map((s) => s.path), [p, p]);
});

test("the 10% slop: a tail up to 1.1 split sizes joins the last split", () => {
  const p = file("slop.txt", 100);
  // goal 11: cut while remaining/11 > 1.1; 12 bytes remain (1.09) and stay one split.
  assert.deepEqual(ranges(planFileSplits([p], 9)), [...Array.from({ length: 8 }, (_, i) => [i * 11, 11]), [88, 12]]);
  const q = file("slop2.txt", 105);
  // goal 10: 15 bytes remaining is 1.5 splits, so it is cut, leaving a 5-byte tail.
  assert.deepEqual(ranges(planFileSplits([q], 10)), [...Array.from({ length: 10 }, (_, i) => [i * 10, 10]), [100, 5]]);
  assert.deepEqual(cutFile(11, 10), [[0, 11]]);
  assert.deepEqual(cutFile(12, 10), [[0, 10], [10, 2]]);
});

test("more partitions than bytes: one-byte splits", () => {
  const p = file("tiny.txt", 5);
  assert.deepEqual(ranges(planFileSplits([p], 100)), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]]);
});

test("the goal size counts all files; each file is cut on its own", () => {
  const a = file("a.txt", 30);
  const b = file("b.txt", 70);
  const splits = planFileSplits([a, b], 4); // goal 25
  assert.deepEqual(splits.map((s) => [s.path === a ? "a" : "b", s.start, s.length]), [
    ["a", 0, 25],
    ["a", 25, 5],
    ["b", 0, 25],
    ["b", 25, 25],
    ["b", 50, 20],
  ]);
  for (let m = 1; m <= 120; m++) {
    const s = planFileSplits([a, b], m);
    assertCovers(s, [[a, 30], [b, 70]]);
    assert.ok(s.length >= Math.min(m, 100), `minPartitions ${m}: ${s.length} splits`);
  }
});

test("splits are capped at the 32 MiB block size", () => {
  const p = join(dir, "sparse.bin");
  writeFileSync(p, "");
  truncateSync(p, 100 * 1024 * 1024); // sparse: no real disk use
  const mib = 1024 * 1024;
  assert.deepEqual(ranges(planFileSplits([p], 1)), [[0, 32 * mib], [32 * mib, 32 * mib], [64 * mib, 32 * mib], [96 * mib, 4 * mib]]);
  assert.equal(splitSizeFor(10 * BLOCK_SIZE, 2), BLOCK_SIZE);
  assert.equal(splitSizeFor(0, 4), 1);
});

test("past the cap, with a default parallelism: Hadoop's count of splits rounded up to a multiple of it, of equal size", () => {
  const mib = 1024 * 1024;
  const sparse = (name: string, bytes: number) => {
    const p = join(dir, name);
    writeFileSync(p, "");
    truncateSync(p, bytes);
    return p;
  };
  const p = sparse("hundred-mib.bin", 100 * mib);
  // Hadoop's 32, 32, 32, 4 would give one of two slots two full splits and the other 36 MiB.
  assert.deepEqual(ranges(planFileSplits([p], 2, 2)), [0, 1, 2, 3].map((i) => [i * 25 * mib, 25 * mib]));
  assert.deepEqual(planFileSplits([p], 2, 8).map((s) => s.length), new Array(8).fill(12.5 * mib), "eight slots, eight splits");
  const q = sparse("two-hundred-mib.bin", 200 * mib);
  assert.deepEqual(planFileSplits([q], 2, 2).map((s) => s.length), new Array(8).fill(25 * mib), "Hadoop's 7 rounded up to 8");
  assert.equal(planFileSplits([q], 2, 1).length, 7, "one slot: Hadoop's splits");
  // Several files: each cut into pieces of about the even size; gzip files stay whole.
  const a = sparse("a.bin", 70 * mib);
  const b = sparse("b.bin", 30 * mib);
  const gz = join(dir, "big.gz");
  writeFileSync(gz, gzipSync("x".repeat(1000)));
  const many = planFileSplits([a, gz, b], 2, 2);
  assertCovers(many, [[a, 70 * mib], [gz, many.find((s) => s.path === gz)!.length], [b, 30 * mib]]);
  assert.deepEqual(many.map((s) => Math.round((s.length / mib) * 10) / 10).filter((n) => n > 1), [23.3, 23.3, 23.3, 30]);
  // Under the cap, nothing changes: the goal size already makes minPartitions splits.
  const small = file("small-even.txt", 100);
  assert.deepEqual(ranges(planFileSplits([small], 3, 2)), [[0, 33], [33, 33], [66, 34]]);
});

test("gzip files are one unsplittable split; empty files one empty split; no files one placeholder", () => {
  const gz = join(dir, "z.txt.gz");
  writeFileSync(gz, gzipSync("x".repeat(10_000)));
  const plain = file("p.txt", 100);
  const empty = file("empty.txt", 0);
  const splits = planFileSplits([gz, empty, plain], 8);
  assert.equal(splits.filter((s) => s.path === gz).length, 1);
  assert.deepEqual(splits.find((s) => s.path === gz), { path: gz, start: 0, length: splits[0]!.length });
  assert.deepEqual(splits.filter((s) => s.path === empty), [{ path: empty, start: 0, length: 0 }]);
  assert.deepEqual(ranges(planFileSplits([empty], 4)), [[0, 0]]);
  assert.deepEqual(planFileSplits([], 4), [{ path: "", start: 0, length: 0 }]);
});

test("a missing file is INPUT_NOT_FOUND", () => {
  assert.throws(() => planFileSplits([join(dir, "nope")], 2), (e: unknown) => e instanceof TsparkError && e.code === "INPUT_NOT_FOUND");
  assert.throws(() => planFileSplits([], Number.NaN), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
});

import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveInputPaths } from "./paths.js";
import { planFileSplits } from "./text-splits.js";
import { planRecordSplits, readBinaryRecords, readWholeTextFile } from "./whole-files.js";
import { gzipSync } from "node:zlib";

const dir = mkdtempSync(join(tmpdir(), "tspark-paths-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
for (const f of ["a.txt", "b.txt", "c.log", "_SUCCESS", ".hidden"]) writeFileSync(join(dir, f), f);
mkdirSync(join(dir, "sub"));
writeFileSync(join(dir, "sub", "d.txt"), "d");

test("files, directories, globs and comma lists", () => {
  assert.deepEqual(resolveInputPaths(join(dir, "a.txt")), [join(dir, "a.txt")]);
  assert.deepEqual(resolveInputPaths(dir), ["a.txt", "b.txt", "c.log"].map((f) => join(dir, f)), "directory: files only, no hidden or _ files");
  assert.deepEqual(resolveInputPaths(join(dir, "*.txt")), ["a.txt", "b.txt"].map((f) => join(dir, f)));
  assert.deepEqual(resolveInputPaths(`${join(dir, "c.log")},${join(dir, "sub")}`), [join(dir, "c.log"), join(dir, "sub", "d.txt")]);
  assert.deepEqual(resolveInputPaths(`${join(dir, "a.txt")},${join(dir, "a.txt")}`), [join(dir, "a.txt")], "duplicates removed");
  assert.deepEqual(resolveInputPaths(`file://${join(dir, "a.txt")}`), [join(dir, "a.txt")]);
});

test("a path or pattern that matches nothing is an error naming it", () => {
  assert.throws(() => resolveInputPaths(join(dir, "nope.txt")), /Input path does not exist: .*nope\.txt/);
  assert.throws(() => resolveInputPaths(join(dir, "*.csv")), /matches 0 files/);
});

test("splits follow Hadoop's rule: goal size, 10% slop, gz unsplittable", () => {
  const p = join(dir, "hundred.txt");
  writeFileSync(p, "x".repeat(100));
  assert.deepEqual(planFileSplits([p], 4).map((s) => [s.start, s.length]), [[0, 25], [25, 25], [50, 25], [75, 25]]);
  assert.deepEqual(planFileSplits([p], 1).map((s) => [s.start, s.length]), [[0, 100]]);
  assert.deepEqual(planFileSplits([p], 3).map((s) => [s.start, s.length]), [[0, 33], [33, 33], [66, 34]]);
  const gz = join(dir, "z.gz");
  writeFileSync(gz, gzipSync("x".repeat(1000)));
  assert.equal(planFileSplits([gz], 8).length, 1);
  const empty = join(dir, "empty.txt");
  writeFileSync(empty, "");
  assert.equal(planFileSplits([empty], 4).length, 1, "at least one (empty) partition");
});

test("binary records: aligned splits, wrong sizes refused", () => {
  const p = join(dir, "rec.bin");
  writeFileSync(p, Buffer.from(Array.from({ length: 40 }, (_, i) => i)));
  const splits = planRecordSplits([p], 4, 3);
  assert.ok(splits.every((s) => s.start % 4 === 0 && s.length % 4 === 0));
  const recs = splits.flatMap((s) => [...readBinaryRecords(s, 4)].flat());
  assert.equal(recs.length, 10);
  assert.deepEqual([...recs[9]!], [36, 37, 38, 39]);
  assert.throws(() => planRecordSplits([p], 3, 1), /not a multiple of the record length 3/);
});

test("whole text files, gzip included", () => {
  const p = join(dir, "w.txt.gz");
  writeFileSync(p, gzipSync("héllo\nwörld"));
  assert.equal(readWholeTextFile(p), "héllo\nwörld");
});

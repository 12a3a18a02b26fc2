/**
 * The external sorter and combiner with far more spill runs than are merged at once: the
 * intermediate merge passes keep every record, in order, and equal keys spread over many
 * runs still combine into one.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExternalSorter } from "./external-sorter.js";
import { ExternalCombiner } from "./external-combiner.js";
import { MAX_MERGE_FAN_IN, mergeSortedRuns, mergeDownRuns, writeRun } from "./run-merger.js";
import { readFrames } from "./frame-file.js";
import { standaloneResources } from "./task-resources.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-runs-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a sort over many more runs than the merge fan-in is complete and ordered", () => {
  const n = 80_000;
  const s = new ExternalSorter<number>((a, b) => a - b, standaloneResources(dir, 1024), "sort-test");
  for (let i = 0; i < n; i += 250) s.insertAll(Array.from({ length: 250 }, (_, j) => ((i + j) * 7919) % n));
  // Over fan-in squared: runs produced by intermediate merges are merged again.
  assert.ok(s.spills > MAX_MERGE_FAN_IN * MAX_MERGE_FAN_IN, `${s.spills} runs`);
  const out: number[] = [];
  for (const b of s.sorted()) out.push(...b);
  assert.deepEqual(out, Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(readdirSync(dir), [], "every run file removed");
});

test("a combine over many runs merges each key once, whichever runs hold it", () => {
  const add = (a: unknown, b: unknown) => (a as number) + (b as number);
  const c = new ExternalCombiner({ createCombiner: (v) => v, mergeValue: add, mergeCombiners: add, growsWithValues: false }, standaloneResources(dir, 8 * 1024), "combine-test");
  const keys = 3000;
  for (let round = 0; round < 20; round++) c.insertAll(Array.from({ length: keys }, (_, k) => [`k${k}`, 1]), false);
  assert.ok(c.spills > MAX_MERGE_FAN_IN, `${c.spills} runs`);
  const got = new Map<string, number>();
  for (const b of c.entries()) for (const [k, v] of b as Array<[string, number]>) {
    assert.equal(got.has(k), false, `key ${k} emitted once`);
    got.set(k, v);
  }
  assert.equal(got.size, keys);
  for (const v of got.values()) assert.equal(v, 20);
  assert.deepEqual(readdirSync(dir), []);
});

test("mergeSortedRuns merges in order, empty runs included", () => {
  const runs = [[1, 4, 7], [], [2, 5, 8], [3, 6, 9, 10]].map((r) => r[Symbol.iterator]());
  assert.deepEqual([...mergeSortedRuns(runs, (a, b) => a - b)], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test("two combiners of one task (same owner name) never share spill files", () => {
  // reduceByKey(f).reduceByKey(g) runs two combiners in one task attempt: the second spills
  // while the first is still merging its runs.
  const add = (a: unknown, b: unknown) => (a as number) + (b as number);
  const agg = { createCombiner: (v: unknown) => v, mergeValue: add, mergeCombiners: add, growsWithValues: false };
  const first = new ExternalCombiner(agg, standaloneResources(dir, 8 * 1024), "t7");
  for (let round = 0; round < 5; round++) first.insertAll(Array.from({ length: 3000 }, (_, k) => [`k${k}`, 1]), false);
  assert.ok(first.spills >= 2, `${first.spills} runs`);
  const totals = new Map<string, number>();
  const second = new ExternalCombiner(agg, standaloneResources(dir, 8 * 1024), "t7");
  let batches = 0;
  for (const b of first.entries()) {
    batches++;
    second.insertAll((b as Array<[string, number]>).map(([k, v]) => [k.length, v]), false);
    for (let round = 0; round < 3; round++) second.insertAll(Array.from({ length: 3000 }, (_, k) => [`x${k}`, 1]), false);
  }
  assert.ok(second.spills >= 2, `${second.spills} runs`);
  for (const b of second.entries()) for (const [k, v] of b as Array<[unknown, number]>) totals.set(String(k), v);
  // 3000 keys of length 2-5 summed by length, then every batch's 3000 x-keys three times each.
  assert.equal(totals.get("2"), 10 * 5);
  assert.equal(totals.get("5"), 2000 * 5);
  assert.equal(totals.get("x0"), 3 * batches);
  first.cleanup();
  second.cleanup();
  assert.deepEqual(readdirSync(dir), []);
});

test("a merge stopped early (take) closes every spill file it had open", () => {
  const s = new ExternalSorter<number>((a, b) => a - b, standaloneResources(dir, 8 * 1024), "early-stop");
  for (let round = 0; round < 10; round++) s.insertAll(Array.from({ length: 3000 }, (_, i) => i * 10 + round));
  assert.ok(s.spills >= 4, `${s.spills} runs`);
  const openFds = () => readdirSync("/proc/self/fd").length;
  const before = openFds();
  const it = s.sorted()[Symbol.iterator]();
  it.next();
  assert.ok(openFds() > before, "the merge opened the runs");
  it.return?.();
  assert.equal(openFds(), before, "no spill file left open");
  s.cleanup();
  assert.deepEqual(readdirSync(dir), []);
});

test("merge passes write their runs in the frame size they are given", () => {
  const runs = Array.from({ length: MAX_MERGE_FAN_IN + 4 }, (_, r) => {
    const path = join(dir, `given-${r}.tmp`);
    writeRun(path, Array.from({ length: 100 }, (_, i) => i * 100 + r), 10);
    return path;
  });
  mergeDownRuns<number>(runs, (a, b) => a - b, () => join(dir, `given-merged-${runs.length}.tmp`), 7);
  assert.equal(runs.length, 5);
  const merged = runs[runs.length - 1]!;
  const frames = [...readFrames<number>(merged)];
  assert.equal(frames.flat().length, 1600);
  assert.ok(frames.every((f) => f.length <= 7), `frames of ${[...new Set(frames.map((f) => f.length))]}`);
  for (const p of runs) rmSync(p, { force: true });
});

import test, { after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ShuffleWriter } from "./shuffle-writer.js";
import { readShuffleBlocks, segmentsOf } from "./shuffle-reader.js";
import type { Aggregator } from "./aggregator.js";
import { standaloneResources } from "./task-resources.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-shuffle-writer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const add = (a: unknown, b: unknown) => (a as number) + (b as number);
const reduce: Aggregator = { createCombiner: (v) => v, mergeValue: add, mergeCombiners: add, growsWithValues: false, mapSideCombineOptional: true };

function writeAll(mapId: number, agg: Aggregator, records: Array<[unknown, number]>): Array<[unknown, number]> {
  const w = new ShuffleWriter(dir, mapId, 0, 2, "hash", standaloneResources(dir, 64 * 1024 * 1024), agg);
  for (let i = 0; i < records.length; i += 1000) w.write(records.slice(i, i + 1000));
  const status = w.commit();
  return [0, 1].flatMap((p) => [...readShuffleBlocks(segmentsOf([status], p), standaloneResources(dir, 0).metrics)].flat()) as Array<[unknown, number]>;
}

function sums(records: Array<[unknown, number]>): Map<unknown, number> {
  const m = new Map<unknown, number>();
  for (const [k, v] of records) m.set(k, (m.get(k) ?? 0) + v);
  return m;
}

test("the map-side combine is skipped when the first records' keys are mostly distinct", () => {
  const records: Array<[unknown, number]> = [];
  for (let i = 0; i < 100_000; i++) records.push([`k${i}`, 1]);
  for (let i = 0; i < 50_000; i++) records.push(["hot", 2]);
  const out = writeAll(1, reduce, records);
  assert.equal(out.length, 150_000, "records after the trial pass through uncombined");
  assert.deepEqual(sums(out), sums(records));
});

test("the map-side combine stays on when keys repeat, and always for aggregators that need it", () => {
  const records: Array<[unknown, number]> = [];
  for (let i = 0; i < 150_000; i++) records.push([i % 10, 1]);
  const out = writeAll(2, reduce, records);
  assert.equal(out.length, 10);
  assert.deepEqual(sums(out), sums(records));
  const distinct: Array<[unknown, number]> = Array.from({ length: 120_000 }, (_, i) => [i, 1]);
  const mandatory = writeAll(3, { ...reduce, mapSideCombineOptional: false }, [...distinct, ...distinct]);
  assert.equal(mandatory.length, 120_000);
});

test("large records (whole files) are spilled as soon as the estimate passes the limit, not after a fixed number of records", () => {
  const w = new ShuffleWriter(dir, 4, 0, 2, "hash", standaloneResources(dir, 1024 * 1024));
  const big = "x".repeat(200 * 1024);
  for (let i = 0; i < 50; i++) w.add([`file-${i}`, big]);
  const status = w.commit();
  assert.ok(status.spills >= 5, `${status.spills} spills for 50 records of 200 KB under a 1 MB limit`);
  const out = [0, 1].flatMap((p) => [...readShuffleBlocks(segmentsOf([status], p), standaloneResources(dir, 0).metrics)].flat()) as Array<[string, string]>;
  assert.equal(out.length, 50);
  assert.ok(out.every(([, v]) => v === big));
});

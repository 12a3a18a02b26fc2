import test from "node:test";
import assert from "node:assert/strict";
import { decodeBatch } from "../serde/record-batch.js";
import { ShuffleEmitter, taggedFrameOf, type EmittedFrame } from "./shuffle-emitter.js";
import type { Aggregator } from "./aggregator.js";
import { portableHash } from "./portable-hash.js";
import { standaloneResources } from "./task-resources.js";

const add = (a: unknown, b: unknown) => (a as number) + (b as number);
const sum: Aggregator = { createCombiner: (v) => v, mergeValue: add, mergeCombiners: add, growsWithValues: false };

function emitAll(e: ShuffleEmitter, records: unknown[]): EmittedFrame[] {
  const out: EmittedFrame[] = [];
  for (let i = 0; i < records.length; i += 500) {
    e.write(records.slice(i, i + 500));
    out.push(...e.takeEmitted());
  }
  e.finish();
  out.push(...e.takeEmitted());
  return out;
}

test("each frame is tagged with its shuffle and the reduce partition it goes to, which hashes its keys there", () => {
  const records = Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]);
  const e = new ShuffleEmitter(7, 3, "hash", standaloneResources("/nonexistent", 64 << 20));
  const frames = emitAll(e, records);
  const seen: unknown[] = [];
  for (const [p, frame] of frames) {
    const { source, partition, batch } = taggedFrameOf(frame);
    assert.equal(source, 7);
    assert.equal(partition, p);
    for (const [k] of decodeBatch<[string, number]>(batch)) assert.equal(portableHash(k) % 3, p);
    seen.push(...decodeBatch(batch));
  }
  assert.equal(seen.length, records.length);
  assert.equal(e.emittedBytes, frames.reduce((n, [, f]) => n + f.length, 0));
});

test("full batches go out as they fill, before the input ends", () => {
  const e = new ShuffleEmitter(0, 1, "hash", standaloneResources("/nonexistent", 64 << 20));
  e.write(Array.from({ length: 5000 }, (_, i) => [i, i]));
  assert.equal(e.takeEmitted().length, 1, "one batch of 4096 records is out; the rest waits");
});

test("combined map-side; past the memory budget, the partial combiners go out and the budget starts again", () => {
  const records = Array.from({ length: 50_000 }, (_, i) => [i % 2000, 1]);
  const roomy = emitAll(new ShuffleEmitter(1, 2, "hash", standaloneResources("/nonexistent", 64 << 20), sum), records);
  const roomyRecords = roomy.flatMap(([, f]) => decodeBatch<[number, number]>(taggedFrameOf(f).batch));
  assert.equal(roomyRecords.length, 2000, "one combiner per key");
  const tight = emitAll(new ShuffleEmitter(1, 2, "hash", standaloneResources("/nonexistent", 16 * 1024), sum), records);
  const tightRecords = tight.flatMap(([, f]) => decodeBatch<[number, number]>(taggedFrameOf(f).batch));
  assert.ok(tightRecords.length > 2000, `partial combiners went out early (${tightRecords.length} records)`);
  const totals = new Map<number, number>();
  for (const [k, v] of tightRecords) totals.set(k, (totals.get(k) ?? 0) + v);
  assert.equal(totals.size, 2000);
  assert.ok([...totals.values()].every((v) => v === 25));
});

test("with many reduce partitions, records go out before any partition fills a batch, in order", () => {
  const partitions = 512;
  const e = new ShuffleEmitter(0, partitions, "hash", standaloneResources("/nonexistent", 64 << 20));
  const records = Array.from({ length: 40_000 }, (_, i) => [`k${i}`, i]);
  e.write(records.slice(0, 20_000));
  const early = e.takeEmitted();
  const earlyRecords = early.reduce((n, [, f]) => n + decodeBatch(taggedFrameOf(f).batch).length, 0);
  // At most 4 batches' worth (16384 records) stay as objects, though no partition has 4096.
  assert.ok(earlyRecords >= 20_000 - 4 * 4096, `${earlyRecords} of 20000 records out early`);
  e.write(records.slice(20_000));
  e.finish();
  const byPartition = new Map<number, number[]>();
  for (const [p, f] of [...early, ...e.takeEmitted()]) {
    for (const [k, v] of decodeBatch<[string, number]>(taggedFrameOf(f).batch)) {
      assert.equal(portableHash(k) % partitions, p);
      (byPartition.get(p) ?? byPartition.set(p, []).get(p)!).push(v);
    }
  }
  const values = [...byPartition.values()];
  assert.equal(values.reduce((n, vs) => n + vs.length, 0), records.length);
  for (const vs of values) assert.deepEqual(vs, [...vs].sort((a, b) => a - b), "a partition's records keep their order");
});

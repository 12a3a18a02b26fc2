import test from "node:test";
import assert from "node:assert/strict";
import { CombinerMap, homeSlot } from "./combiner-map.js";
import type { Aggregator } from "./aggregator.js";
import { portableHash } from "./portable-hash.js";

const sum: Aggregator = { createCombiner: (v) => v, mergeValue: (a, b) => (a as number) + (b as number), mergeCombiners: (a, b) => (a as number) * 1000 + (b as number), growsWithValues: false };

test("combines by tspark's key equality across growth, with or without a given hash", () => {
  const m = new CombinerMap();
  const keys: unknown[] = [];
  for (let i = 0; i < 5000; i++) keys.push(`k${i}`, i, [i, "t"]);
  for (let round = 0; round < 3; round++) {
    keys.forEach((k, j) => assert.equal(m.add(k, 1, sum, false, j % 2 ? portableHash(k) : undefined), round === 0));
  }
  assert.equal(m.size, keys.length);
  const got = m.toArray();
  assert.equal(got.length, keys.length);
  assert.ok(got.every(([, c]) => c === 3));
  assert.deepEqual(new Set(got.map(([k]) => JSON.stringify(k))), new Set(keys.map((k) => JSON.stringify(k))));
});

test("NaN is one key, 0 and -0 are one key, distinct strings with equal hashes stay apart", () => {
  const m = new CombinerMap();
  assert.equal(m.add(NaN, 1, sum, false), true);
  assert.equal(m.add(NaN, 1, sum, false), false);
  assert.equal(m.add(0, 1, sum, false), true);
  assert.equal(m.add(-0, 1, sum, false), false);
  // A forced collision: same hash, different keys.
  assert.equal(m.add("a", 1, sum, false, 7), true);
  assert.equal(m.add("b", 1, sum, false, 7), true);
  assert.equal(m.add("a", 5, sum, false, 7), false);
  assert.deepEqual(m.toArray().sort((x, y) => String(x[0]).localeCompare(String(y[0]))), [[0, 2], ["a", 6], ["b", 1], [NaN, 2]]);
});

test("combiners from a map-side combine merge with mergeCombiners", () => {
  const m = new CombinerMap();
  m.add("k", 1, sum, true);
  m.add("k", 2, sum, true);
  m.add(["t"], 3, sum, true);
  m.add(["t"], 4, sum, true);
  assert.deepEqual(m.toArray(), [["k", 1002], [["t"], 3004]]);
});

test("sortedByHash: every entry once, ascending by portableHash, object keys included", () => {
  const m = new CombinerMap();
  for (let i = 0; i < 3000; i++) m.add(i % 2 ? `s${i}` : [i], i, sum, false);
  m.add("s1", 1, sum, false, portableHash("s1"));
  const sorted = m.sortedByHash();
  assert.equal(sorted.length, 3000);
  for (let i = 0; i < sorted.length; i++) {
    assert.equal(sorted[i]![0], portableHash(sorted[i]![1]));
    if (i > 0) assert.ok(sorted[i - 1]![0] <= sorted[i]![0]);
  }
  assert.equal(sorted.find(([, k]) => k === "s1")![2], 2);
});

test("the keys of one reduce partition (hashes equal modulo the partition count) spread over the whole table", () => {
  // Every key of reduce partition 0 of 4 has a hash that is a multiple of 4: a table indexed
  // by the hash's low bits would start every probe at one slot in four, and probe long runs.
  const hashes: number[] = [];
  for (let i = 0; hashes.length < 50_000; i++) {
    const h = portableHash(`key${i}`);
    if (h % 4 === 0) hashes.push(h);
  }
  const bits = 17; // 131072 slots, the table's size for 50k keys at its load limit
  const homes = new Set(hashes.map((h) => homeSlot(h, 32 - bits)));
  // Uniform hashing would start 50k keys at about 41k distinct slots; low bits alone, at most 32768.
  assert.ok(homes.size > 38_000, `${homes.size} distinct home slots`);
  assert.ok([...homes].every((s) => s >= 0 && s < 2 ** bits));
});

test("a table's entries, in its own order, go into another table without long probe runs", () => {
  // A reduce side merges a map side's combined output, which comes in the order its table gives.
  const mapSide = new CombinerMap();
  for (let i = 0; i < 100_000; i++) mapSide.add(`w${i}`, 1, sum, false);
  const reduceSide = new CombinerMap();
  for (const [k, c] of mapSide.toArray()) reduceSide.add(k, c, sum, true);
  assert.equal(reduceSide.size, 100_000);
  // Linear probing at load up to 1/2 averages under a probe per insert, plus a few for the
  // entries of one block of the other table (batches' order), which may share a home slot
  // while this table is smaller; in home-slot order, thousands.
  assert.ok(reduceSide.probes / reduceSide.size < 4, `${reduceSide.probes / reduceSide.size} probes per key`);
});

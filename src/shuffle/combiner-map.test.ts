import test from "node:test";
import assert from "node:assert/strict";
import { CombinerMap } from "./combiner-map.js";
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

import test from "node:test";
import assert from "node:assert/strict";
import { KeyHashCollector, MAX_FILTER_KEYS, keyFilterOf, keyHashesPerTask, mayContain } from "./key-filter.js";
import { portableHash } from "./portable-hash.js";

test("every collected key passes the filter; keys the build side lacks mostly do not", () => {
  const tasks = [0, 1, 2].map((t) => {
    const c = new KeyHashCollector();
    for (let i = 0; i < 10_000; i++) c.add(portableHash(`k${t * 5_000 + i}`)); // tasks overlap by half
    return c.result();
  });
  const filter = keyFilterOf(tasks)!;
  assert.equal(filter.keys, 20_000, "distinct over the tasks");
  for (let i = 0; i < 20_000; i++) assert.ok(mayContain(filter, portableHash(`k${i}`)), `k${i}`);
  let passed = 0;
  for (let i = 0; i < 100_000; i++) if (mayContain(filter, portableHash(`other${i}`))) passed++;
  assert.ok(passed < 3_000, `false positives: ${passed} of 100,000`);
});

test("no filter when a task saw too many keys, or the tasks together did", () => {
  const many = new KeyHashCollector();
  for (let i = 0; i <= MAX_FILTER_KEYS; i++) many.add(i);
  assert.equal(many.result(), null);
  const few = new KeyHashCollector();
  few.add(1);
  assert.equal(keyFilterOf([few.result(), many.result()]), undefined);
  assert.equal(keyFilterOf([few.result(), undefined]), undefined, "a map output without hashes (made before the filter was asked for)");
  const halves = [0, 1].map((t) => Int32Array.from({ length: MAX_FILTER_KEYS / 2 + 1 }, (_, i) => t * MAX_FILTER_KEYS + i));
  assert.equal(keyFilterOf(halves), undefined);
});

test("an empty build side filters out everything, a one-key one all but its key", () => {
  const empty = keyFilterOf([new KeyHashCollector().result()])!;
  assert.equal(empty.keys, 0);
  assert.equal(mayContain(empty, portableHash("a")), false);
  const one = new KeyHashCollector();
  one.add(portableHash("a"));
  const filter = keyFilterOf([one.result()])!;
  assert.ok(mayContain(filter, portableHash("a")));
  assert.equal(mayContain(filter, portableHash("b")), false);
});

test("each build task's share of the hashes shrinks with the number of tasks, within bounds", () => {
  assert.equal(keyHashesPerTask(1), MAX_FILTER_KEYS);
  assert.equal(keyHashesPerTask(4), MAX_FILTER_KEYS);
  assert.equal(keyHashesPerTask(64), (4 * MAX_FILTER_KEYS) / 64);
  assert.equal(keyHashesPerTask(1_000_000), 1024);
  const capped = new KeyHashCollector(3);
  for (const h of [1, 2, 2, 3]) capped.add(h);
  assert.deepEqual(capped.result(), Int32Array.of(1, 2, 3));
  capped.add(4);
  assert.equal(capped.result(), null);
});

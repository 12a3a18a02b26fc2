import test from "node:test";
import assert from "node:assert/strict";
import { BoundedHeap } from "./bounded-heap.js";
import { Random } from "./random.js";
import { compareValues } from "./ordering.js";
import { TsparkError } from "../errors.js";

const num = (a: number, b: number) => a - b;

test("PySpark's takeOrdered/top doctests", () => {
  const h = new BoundedHeap<number>(6, num);
  h.pushAll([10, 1, 2, 9, 3, 4, 5, 6, 7]);
  assert.deepEqual(h.toSortedArray(), [1, 2, 3, 4, 5, 6]);
  const byNeg = new BoundedHeap<number>(6, (a, b) => -a - -b);
  byNeg.pushAll([10, 1, 2, 9, 3, 4, 5, 6, 7]);
  assert.deepEqual(byNeg.toSortedArray(), [10, 9, 7, 6, 5, 4]);
  const top = new BoundedHeap<number>(3, (a, b) => compareValues(String(b), String(a))); // top(3, key=str)
  top.pushAll([10, 4, 2, 12, 3]);
  assert.deepEqual(top.toSortedArray(), [4, 3, 2]);
});

test("matches a stable sort on random data, for many capacities", () => {
  const rng = new Random(77);
  for (let round = 0; round < 200; round++) {
    const n = rng.nextInt(300);
    const cap = rng.nextInt(50);
    // Few distinct keys, so ties are common; ids reveal which of equal items were kept.
    const xs = Array.from({ length: n }, (_, id) => ({ key: rng.nextInt(20), id }));
    const cmp = (a: { key: number }, b: { key: number }) => a.key - b.key;
    const h = new BoundedHeap(cap, cmp);
    for (const x of xs) h.push(x);
    const expected = [...xs].sort(cmp).slice(0, cap);
    assert.deepEqual(h.toSortedArray(), expected, `n=${n} cap=${cap}`);
    assert.equal(h.size, Math.min(n, cap));
  }
});

test("descending (top) keeps the first-seen of equal items, as heapq.nlargest", () => {
  const xs = [{ k: 1, id: 0 }, { k: 3, id: 1 }, { k: 3, id: 2 }, { k: 2, id: 3 }, { k: 3, id: 4 }];
  const h = new BoundedHeap<{ k: number; id: number }>(2, (a, b) => b.k - a.k);
  h.pushAll(xs);
  assert.deepEqual(h.toSortedArray().map((x) => x.id), [1, 2]);
});

test("capacity 0, capacity above the count, an empty heap", () => {
  const zero = new BoundedHeap<number>(0, num);
  zero.pushAll([3, 1, 2]);
  assert.deepEqual(zero.toSortedArray(), []);
  const big = new BoundedHeap<number>(100, num);
  big.pushAll([3, 1, 2]);
  assert.deepEqual(big.toSortedArray(), [1, 2, 3]);
  assert.deepEqual(new BoundedHeap<number>(5, num).toSortedArray(), []);
});

test("toSortedArray does not consume; clear empties", () => {
  const h = new BoundedHeap<number>(2, num);
  h.pushAll([5, 4, 3]);
  assert.deepEqual(h.toSortedArray(), [3, 4]);
  assert.deepEqual(h.toSortedArray(), [3, 4]);
  h.push(1);
  assert.deepEqual(h.toSortedArray(), [1, 3]);
  h.clear();
  assert.equal(h.size, 0);
  h.push(9);
  assert.deepEqual(h.toSortedArray(), [9]);
});

test("works with compareValues on mixed keys", () => {
  const h = new BoundedHeap<unknown>(4, compareValues);
  h.pushAll(["b", 3, null, [1], NaN, 1n, "a"]);
  assert.deepEqual(h.toSortedArray(), [null, 1n, 3, NaN]);
});

test("invalid capacity or compare", () => {
  for (const bad of [-1, 1.5, NaN, Infinity]) assert.throws(() => new BoundedHeap<number>(bad, num), TsparkError);
  assert.throws(() => new BoundedHeap<number>(1, undefined as unknown as typeof num), TsparkError);
});

test("a million pushes stay fast (O(log k) each)", () => {
  const rng = new Random(1);
  const h = new BoundedHeap<number>(100, num);
  const t0 = performance.now();
  let min = Infinity;
  for (let i = 0; i < 1_000_000; i++) {
    const x = rng.nextFloat();
    if (x < min) min = x;
    h.push(x);
  }
  const ms = performance.now() - t0;
  assert.equal(h.toSortedArray()[0], min);
  assert.ok(ms < 2000, `${ms} ms`);
});

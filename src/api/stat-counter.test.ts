import test from "node:test";
import assert from "node:assert/strict";
import { StatCounter } from "./stat-counter.js";
import { TsparkError } from "../errors.js";

const close = (actual: number, expected: number, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);

test("PySpark doctests: [1, 2, 3]", () => {
  const s = new StatCounter([1, 2, 3]);
  assert.equal(s.count(), 3);
  assert.equal(s.mean(), 2);
  assert.equal(s.sum(), 6);
  assert.equal(s.min(), 1);
  assert.equal(s.max(), 3);
  close(s.variance(), 2 / 3);
  close(s.stdev(), 0.816496580927726);
  assert.equal(s.sampleVariance(), 1);
  assert.equal(s.sampleStdev(), 1);
  assert.equal(String(s), "(count: 3, mean: 2.0, stdev: 0.816496580927726, max: 3.0, min: 1.0)");
});

test("asDict: sample figures with sample = true (PySpark's doctest values), population otherwise", () => {
  const s = new StatCounter([1, 2, 3, 4]);
  assert.deepEqual(s.asDict(true), { count: 4, mean: 2.5, sum: 10, min: 1, max: 4, stdev: 1.2909944487358056, variance: 1.6666666666666667 });
  const pop = s.asDict();
  close(pop.stdev, 1.118033988749895);
  close(pop.variance, 1.25);
});

test("empty counter", () => {
  const s = new StatCounter();
  assert.equal(s.count(), 0);
  assert.equal(s.mean(), 0);
  assert.equal(s.sum(), 0);
  assert.equal(s.min(), Infinity);
  assert.equal(s.max(), -Infinity);
  assert.ok(Number.isNaN(s.variance()));
  assert.ok(Number.isNaN(s.sampleVariance()));
  assert.ok(Number.isNaN(s.stdev()));
  assert.equal(String(s), "(count: 0, mean: 0.0, stdev: nan, max: -inf, min: inf)");
});

test("one value: population variance 0, sample variance NaN", () => {
  const s = new StatCounter([5]);
  assert.equal(s.variance(), 0);
  assert.ok(Number.isNaN(s.sampleVariance()));
  assert.ok(Number.isNaN(s.sampleStdev()));
});

test("merge returns this and accepts bigints; non-numbers are refused", () => {
  const s = new StatCounter();
  assert.equal(s.merge(1).merge(2), s);
  s.merge(3n as unknown as number);
  assert.equal(s.mean(), 2);
  assert.throws(() => s.merge("4" as unknown as number), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
  assert.throws(() => s.merge(null as unknown as number), TsparkError);
});

test("NaN propagates into min and max (as Scala/numpy)", () => {
  const s = new StatCounter([1, NaN, 3]);
  assert.ok(Number.isNaN(s.min()));
  assert.ok(Number.isNaN(s.max()));
  assert.ok(Number.isNaN(s.mean()));
});

test("mergeStats of partitions equals one pass, for every split point and skewed sizes", () => {
  const xs = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 100 + i * 0.5);
  const whole = new StatCounter(xs);
  for (const cut of [0, 1, 5, 17, 100, 199, 200]) {
    const merged = new StatCounter(xs.slice(0, cut)).mergeStats(new StatCounter(xs.slice(cut)));
    assert.equal(merged.count(), whole.count());
    close(merged.mean(), whole.mean(), 1e-12);
    close(merged.variance(), whole.variance(), 1e-10);
    assert.equal(merged.min(), whole.min());
    assert.equal(merged.max(), whole.max());
  }
  // Many small partitions, merged in sequence.
  const total = new StatCounter();
  for (let i = 0; i < xs.length; i += 7) total.mergeStats(new StatCounter(xs.slice(i, i + 7)));
  close(total.sampleVariance(), whole.sampleVariance(), 1e-10);
});

test("mergeStats with empty sides and with itself", () => {
  const a = new StatCounter([1, 2, 3]);
  assert.equal(a.mergeStats(new StatCounter()).count(), 3);
  const e = new StatCounter().mergeStats(a);
  assert.deepEqual(e.toJSON(), a.toJSON());
  e.merge(10);
  assert.equal(a.count(), 3, "the source is not aliased");

  const s = new StatCounter([1, 2, 3]);
  s.mergeStats(s);
  assert.equal(s.count(), 6);
  assert.equal(s.mean(), 2);
  close(s.variance(), 2 / 3);
  assert.deepEqual(s.toJSON(), new StatCounter([1, 2, 3, 1, 2, 3]).toJSON());
  assert.throws(() => s.mergeStats({} as StatCounter), TsparkError);
});

test("numerically stable for large offsets", () => {
  const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
  const s = new StatCounter(xs);
  assert.equal(s.mean(), 1e9 + 10);
  assert.equal(s.sampleVariance(), 30);
  const m = new StatCounter(xs.slice(0, 1)).mergeStats(new StatCounter(xs.slice(1)));
  assert.equal(m.sampleVariance(), 30);
});

test("copy is independent", () => {
  const s = new StatCounter([1, 2]);
  const c = s.copy();
  c.merge(100);
  assert.equal(s.count(), 2);
  assert.equal(c.count(), 3);
  assert.equal(c.max(), 100);
});

test("toJSON / fromJSON round-trips through JSON, non-finite values included", () => {
  for (const s of [new StatCounter(), new StatCounter([1.5, -2, 1e300]), new StatCounter([Infinity, 1]), new StatCounter([NaN])]) {
    const back = StatCounter.fromJSON(JSON.parse(JSON.stringify(s)));
    assert.equal(String(back), String(s));
    assert.deepEqual(back.toJSON(), s.toJSON());
    assert.deepEqual(StatCounter.fromJSON(structuredClone(s.toJSON())).toJSON(), s.toJSON());
  }
  assert.deepEqual(new StatCounter().toJSON(), { n: 0, mu: 0, m2: 0, min: "Infinity", max: "-Infinity" });
});

test("fromJSON rejects malformed data", () => {
  const bad: unknown[] = [null, 3, {}, { n: -1, mu: 0, m2: 0, min: 0, max: 0 }, { n: 1.5, mu: 0, m2: 0, min: 0, max: 0 }, { n: 1, mu: "x", m2: 0, min: 0, max: 0 }, { n: 1, mu: 0, m2: 0, min: null, max: 0 }];
  for (const b of bad) {
    assert.throws(() => StatCounter.fromJSON(b as never), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT", JSON.stringify(b));
  }
});

test("toString formats floats as Python's repr", () => {
  const fmt = (x: number) => /mean: ([^,]+),/.exec(String(new StatCounter([x])))![1];
  assert.equal(fmt(1e16), "1e+16");
  assert.equal(fmt(1e-5), "1e-05");
  assert.equal(fmt(0.0001), "0.0001");
  assert.equal(fmt(1234567890123456), "1234567890123456.0");
  assert.equal(fmt(1.2345678901234568e17), "1.2345678901234568e+17");
  assert.equal(fmt(1e15), "1000000000000000.0");
  assert.equal(fmt(-2.5e-7), "-2.5e-07");
  assert.equal(fmt(1e22), "1e+22");
  assert.equal(fmt(123.456), "123.456");
  assert.equal(fmt(-0.5), "-0.5");
  assert.equal(fmt(100), "100.0");
  assert.equal(String(new StatCounter([2, 4])), "(count: 2, mean: 3.0, stdev: 1.0, max: 4.0, min: 2.0)");
});

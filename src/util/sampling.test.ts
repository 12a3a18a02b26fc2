import test from "node:test";
import assert from "node:assert/strict";
import {
  BernoulliSampler,
  PoissonSampler,
  RangeSampler,
  StratifiedSampler,
  createSampler,
  computeFractionForSampleSize,
  splitBounds,
  takeSampleFrom,
  validateFraction,
  MAX_SAMPLE_SIZE,
  GAP_SAMPLING_MAX_FRACTION,
  Reservoir,
  Random,
  type PartitionSampler,
} from "./sampling.js";
import { TsparkError } from "../errors.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Runs a sampler over `records` cut into batches of `batch`. */
function run<T>(s: PartitionSampler<T>, records: T[], batch: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < records.length; i += batch) s.sampleBatch(records.slice(i, i + batch), out);
  return out;
}

const isInvalid = (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT";

test("validateFraction follows Spark's rules", () => {
  validateFraction(false, 0);
  validateFraction(false, 1);
  validateFraction(true, 0);
  validateFraction(true, 3.5);
  assert.throws(() => validateFraction(false, -0.1), isInvalid);
  assert.throws(() => validateFraction(true, -1), isInvalid);
  assert.throws(() => validateFraction(false, 1.01), isInvalid);
  assert.throws(() => validateFraction(false, NaN), isInvalid);
  assert.throws(() => validateFraction(true, Infinity), isInvalid);
  assert.throws(() => validateFraction(true, "0.5" as unknown as number), isInvalid);
  assert.throws(() => new BernoulliSampler(1.5, 1, 0), isInvalid);
  assert.throws(() => new PoissonSampler(-1, 1, 0), isInvalid);
});

test("Bernoulli: about fraction·n kept, in order, without duplicates, both code paths", () => {
  const n = 100_000;
  const xs = range(n);
  for (const fraction of [0.001, 0.1, GAP_SAMPLING_MAX_FRACTION, 0.5, 0.9]) {
    const kept = run(new BernoulliSampler<number>(fraction, 11, 0), xs, 1000);
    const sd = Math.sqrt(n * fraction * (1 - fraction));
    assert.ok(Math.abs(kept.length - n * fraction) < 5 * sd, `fraction ${fraction}: kept ${kept.length}`);
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i]! > kept[i - 1]!, "strictly increasing: in order, no duplicates");
  }
});

test("Bernoulli: each record kept independently (first and second halves alike)", () => {
  const n = 200_000;
  const kept = run(new BernoulliSampler<number>(0.05, 3, 0), range(n), 4096);
  const firstHalf = kept.filter((x) => x < n / 2).length;
  const sd = Math.sqrt((n / 2) * 0.05 * 0.95);
  assert.ok(Math.abs(firstHalf - (n / 2) * 0.05) < 5 * sd);
  assert.ok(Math.abs(kept.length - firstHalf - (n / 2) * 0.05) < 5 * sd);
});

test("Bernoulli: fraction 0 keeps nothing, 1 keeps everything", () => {
  assert.deepEqual(run(new BernoulliSampler<number>(0, 1, 0), range(100), 7), []);
  assert.deepEqual(run(new BernoulliSampler<number>(1, 1, 0), range(100), 7), range(100));
});

test("samplers: deterministic per (seed, partition), independent of batch size", () => {
  const xs = range(20_000);
  for (const [w, f] of [[false, 0.05], [false, 0.7], [true, 0.1], [true, 1.5]] as const) {
    const a = run(createSampler<number>(w, f, 99, 2), xs, 1000);
    const b = run(createSampler<number>(w, f, 99, 2), xs, 1000);
    const c = run(createSampler<number>(w, f, 99, 2), xs, 333);
    const d = run(createSampler<number>(w, f, 99, 2), xs, 1);
    assert.deepEqual(a, b, `${w} ${f}: same seed`);
    assert.deepEqual(a, c, `${w} ${f}: other batch size`);
    assert.deepEqual(a, d, `${w} ${f}: batch of 1`);
    assert.notDeepEqual(a, run(createSampler<number>(w, f, 99, 3), xs, 1000), "other partition");
    assert.notDeepEqual(a, run(createSampler<number>(w, f, 100, 2), xs, 1000), "other seed");
  }
});

test("Poisson: each record appears Poisson(fraction) times, copies adjacent, both code paths", () => {
  const n = 50_000;
  for (const fraction of [0.02, 0.3, 1, 2.5]) {
    const out = run(new PoissonSampler<number>(fraction, 5, 1), range(n), 1000);
    const sd = Math.sqrt(n * fraction);
    assert.ok(Math.abs(out.length - n * fraction) < 5 * sd, `fraction ${fraction}: ${out.length}`);
    for (let i = 1; i < out.length; i++) assert.ok(out[i]! >= out[i - 1]!, "in order, copies adjacent");
    // The share of records drawn at least once is 1 - e^(-fraction).
    const distinct = new Set(out).size;
    const p = 1 - Math.exp(-fraction);
    assert.ok(Math.abs(distinct - n * p) < 5 * Math.sqrt(n * p * (1 - p)), `fraction ${fraction}: ${distinct} distinct`);
  }
  assert.deepEqual(run(new PoissonSampler<number>(0, 5, 1), range(100), 10), []);
});

test("Poisson: the per-record count distribution (fraction 0.3, gap sampling)", () => {
  const n = 100_000;
  const out = run(new PoissonSampler<number>(0.3, 8, 0), range(n), 500);
  const counts = new Map<number, number>();
  for (const x of out) counts.set(x, (counts.get(x) ?? 0) + 1);
  const byCount = [n - counts.size, 0, 0, 0];
  for (const c of counts.values()) if (c < 4) byCount[c]!++;
  let p = Math.exp(-0.3);
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(byCount[k]! - n * p) < 5 * Math.sqrt(n * p * (1 - p)) + 2, `P(${k}) ${byCount[k]! / n} vs ${p}`);
    p = (p * 0.3) / (k + 1);
  }
});

test("RangeSampler: randomSplit's splits are disjoint, complete and sized by weight", () => {
  const n = 30_000;
  const xs = range(n);
  const weights = [1, 2, 3, 0];
  const bounds = splitBounds(weights);
  for (const partition of [0, 1, 7]) {
    const splits = bounds.map(([lb, ub]) => run(new RangeSampler<number>(lb, ub, 17, partition), xs, 1000));
    const all = splits.flat().sort((a, b) => a - b);
    assert.deepEqual(all, xs, "every record in exactly one split");
    assert.equal(splits[3]!.length, 0, "a zero weight gets nothing");
    for (let i = 0; i < 3; i++) {
      const p = weights[i]! / 6;
      assert.ok(Math.abs(splits[i]!.length - n * p) < 5 * Math.sqrt(n * p * (1 - p)), `split ${i}: ${splits[i]!.length}`);
    }
  }
  // Batch cutting does not matter.
  assert.deepEqual(run(new RangeSampler<number>(0.2, 0.5, 1, 0), xs, 7), run(new RangeSampler<number>(0.2, 0.5, 1, 0), xs, 5000));
  assert.throws(() => new RangeSampler(0.5, 0.2, 1, 0), isInvalid);
  assert.throws(() => new RangeSampler(-0.1, 0.2, 1, 0), isInvalid);
  assert.throws(() => new RangeSampler(0, 1.1, 1, 0), isInvalid);
});

test("splitBounds: cumulative, normalized, last bound exactly 1; PySpark's errors", () => {
  assert.deepEqual(splitBounds([1, 3]), [[0, 0.25], [0.25, 1]]);
  assert.deepEqual(splitBounds([5]), [[0, 1]]);
  const b = splitBounds([0.1, 0.2, 0.3, 0.4]);
  for (let i = 1; i < b.length; i++) assert.equal(b[i]![0], b[i - 1]![1], "bounds tile");
  assert.equal(b[3]![1], 1);
  for (const bad of [[], [-1, 2], [0, 0], [1, NaN], [Infinity]]) assert.throws(() => splitBounds(bad), isInvalid, JSON.stringify(bad));
});

test("StratifiedSampler: each key at its own fraction, with and without replacement", () => {
  const n = 60_000;
  const pairs = range(n).map((i) => [i % 3 === 0 ? "a" : "b", i] as [string, number]);
  const fractions: Record<string, number> = { a: 0.1, b: 0.6 };
  for (const withReplacement of [false, true]) {
    const s = new StratifiedSampler<string, number>(withReplacement, (k) => fractions[k], 4, 0);
    const out = run(s, pairs, 1000);
    for (const [k, f] of Object.entries(fractions)) {
      const m = n * (k === "a" ? 1 / 3 : 2 / 3);
      const got = out.filter(([key]) => key === k).length;
      assert.ok(Math.abs(got - m * f) < 5 * Math.sqrt(m * f), `${withReplacement} ${k}: ${got} vs ${m * f}`);
    }
    if (!withReplacement) assert.equal(new Set(out.map(([, v]) => v)).size, out.length);
  }
  const missing = new StratifiedSampler<string, number>(false, (k) => fractions[k], 4, 0);
  assert.throws(() => missing.sampleBatch([["c", 1]]), isInvalid);
  const bad = new StratifiedSampler<string, number>(false, () => 2, 4, 0);
  assert.throws(() => bad.sampleBatch([["a", 1]]), isInvalid);
});

test("computeFractionForSampleSize: PySpark's values", () => {
  const cases: [number, number, boolean, number][] = [
    [10, 1000, false, 0.03711246244222553],
    [10, 1000, true, 0.03846049894151542],
    [100, 1000, true, 0.15000000000000002],
    [500, 1000, false, 0.6099113203369704],
    [5, 10, false, 1],
    [20, 100000, true, 0.000423606797749979],
  ];
  for (const [num, total, w, expected] of cases) {
    const got = computeFractionForSampleSize(num, total, w);
    assert.ok(Math.abs(got - expected) <= 1e-15 * expected, `${num}/${total} ${w}: ${got} vs ${expected}`);
  }
  assert.throws(() => computeFractionForSampleSize(1, 0, false), isInvalid);
  assert.throws(() => computeFractionForSampleSize(-1, 10, false), isInvalid);
});

test("computeFractionForSampleSize: the fraction yields enough records across seeds", () => {
  const total = 2000;
  const xs = range(total);
  for (const [w, num] of [[false, 50], [true, 50], [false, 5], [true, 5]] as const) {
    const f = computeFractionForSampleSize(num, total, w);
    for (let seed = 0; seed < 100; seed++) {
      const got = run(createSampler<number>(w, f, seed, 0), xs, 1000).length;
      assert.ok(got >= num, `withReplacement=${w} num=${num} seed=${seed}: only ${got}`);
    }
  }
});

/** A fake RDD over an array, with PySpark-like per-partition sampling; counts its calls. */
function source(data: number[], partitions = 3) {
  const calls = { count: 0, collect: 0, sample: 0 };
  const parts = range(partitions).map((p) => data.filter((_, i) => i % partitions === p));
  return {
    calls,
    count: async () => (calls.count++, data.length),
    collect: async () => (calls.collect++, [...data]),
    sampleCollect: async (w: boolean, f: number, seed: number) => {
      calls.sample++;
      return parts.flatMap((part, p) => createSampler<number>(w, f, seed, p).sampleBatch(part));
    },
  };
}

test("takeSampleFrom: exact size, distinct without replacement, deterministic by seed", async () => {
  const data = range(1000);
  const a = await takeSampleFrom(source(data), false, 20, 42);
  assert.equal(a.length, 20);
  assert.equal(new Set(a).size, 20);
  for (const x of a) assert.ok(data.includes(x));
  assert.deepEqual(await takeSampleFrom(source(data), false, 20, 42), a);
  assert.notDeepEqual(await takeSampleFrom(source(data), false, 20, 43), a);
  const r = await takeSampleFrom(source(data), true, 30, 5);
  assert.equal(r.length, 30);
  // Shuffled: not simply in input order.
  assert.notDeepEqual(a, [...a].sort((x, y) => x - y));
});

test("takeSampleFrom: all records shuffled when num >= count; empty cases; errors", async () => {
  const s = source(range(10));
  const all = await takeSampleFrom(s, false, 50, 1);
  assert.deepEqual([...all].sort((x, y) => x - y), range(10));
  assert.equal(s.calls.sample, 0);
  assert.equal((await takeSampleFrom(source(range(10)), true, 25, 1)).length, 25, "with replacement num may exceed count");
  assert.deepEqual(await takeSampleFrom(source([]), false, 5, 1), []);
  const z = source(range(10));
  assert.deepEqual(await takeSampleFrom(z, false, 0, 1), []);
  assert.equal(z.calls.count, 0);
  await assert.rejects(takeSampleFrom(source(range(10)), false, -1), isInvalid);
  await assert.rejects(takeSampleFrom(source(range(10)), false, 1.5), isInvalid);
  await assert.rejects(takeSampleFrom(source(range(10)), false, MAX_SAMPLE_SIZE + 1), isInvalid);
});

test("takeSampleFrom: retries with a new seed while the sample is short", async () => {
  const seeds: number[] = [];
  let calls = 0;
  const src = {
    count: async () => 100,
    collect: async () => range(100),
    sampleCollect: async (_w: boolean, _f: number, seed: number) => {
      seeds.push(seed);
      return ++calls < 3 ? [1, 2] : range(100);
    },
  };
  const out = await takeSampleFrom(src, false, 10, 7);
  assert.equal(out.length, 10);
  assert.equal(seeds.length, 3);
  assert.equal(seeds[0], 7, "first attempt uses the given seed, as PySpark");
  assert.equal(new Set(seeds).size, 3);
});

test("Reservoir: counts every item, keeps at most its size, each item about equally likely", () => {
  const small = new Reservoir<number>(10, new Random(3));
  for (let i = 0; i < 4; i++) small.add(i);
  assert.deepEqual([small.count, small.sample], [4, [0, 1, 2, 3]]);
  // 20,000 reservoirs of 10 out of 1,000 items: each item is kept ~200 times.
  const kept = new Array<number>(1000).fill(0);
  for (let s = 0; s < 20_000; s++) {
    const r = new Reservoir<number>(10, new Random(s));
    for (let i = 0; i < 1000; i++) r.add(i);
    assert.equal(r.count, 1000);
    assert.equal(new Set(r.sample).size, 10);
    for (const i of r.sample) kept[i]!++;
  }
  // Binomial(20000, 0.01): mean 200, sd ~14; the first, middle and last tenths alike.
  for (const [from, to] of [[0, 100], [450, 550], [900, 1000]] as const) {
    const mean = kept.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    assert.ok(Math.abs(mean - 200) < 10, `items ${from}-${to} kept ${mean} times on average`);
  }
  assert.throws(() => new Reservoir(0, new Random(1)), /positive integer/);
});

test("Reservoir: exactly its size of items keeps them all; a reservoir of one keeps one", () => {
  const full = new Reservoir<number>(5, new Random(1));
  for (let i = 0; i < 5; i++) full.add(i);
  assert.deepEqual(full.sample, [0, 1, 2, 3, 4]);
  full.add(5);
  assert.equal(full.sample.length, 5);
  const seen = new Set<number>();
  for (let s = 0; s < 200; s++) {
    const one = new Reservoir<number>(1, new Random(s));
    for (let i = 0; i < 50; i++) one.add(i);
    assert.equal(one.sample.length, 1);
    seen.add(one.sample[0]!);
  }
  assert.ok(seen.size > 30, `a reservoir of one kept ${seen.size} different items over 200 seeds`);
});

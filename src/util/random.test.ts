import test from "node:test";
import assert from "node:assert/strict";
import { Random, randomSeed, seedForPartition } from "./random.js";
import { TsparkError } from "../errors.js";

const draws = (rng: Random, n: number) => Array.from({ length: n }, () => rng.nextUint32());

/** Mean and (population) variance of draws. */
function moments(n: number, draw: () => number): { mean: number; variance: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean };
}

test("same seed, same stream; different seeds, different streams", () => {
  assert.deepEqual(draws(new Random(42), 100), draws(new Random(42), 100));
  assert.notDeepEqual(draws(new Random(42), 10), draws(new Random(43), 10));
  // An integer seed as number or bigint is the same seed.
  assert.deepEqual(draws(new Random(7), 10), draws(new Random(7n), 10));
  // Seeds differing only above bit 32 still differ from the first draw.
  assert.notEqual(new Random(1).nextUint32(), new Random(2 ** 32 + 1).nextUint32());
  assert.notDeepEqual(draws(new Random(-1), 5), draws(new Random(1), 5));
  assert.deepEqual(draws(new Random(0.5), 5), draws(new Random(0.5), 5));
});

test("xoshiro128** matches the reference output for state [1, 2, 3, 4]", () => {
  const rng = new Random(0);
  // Reach into the private state: the published test vector starts from a raw state.
  Object.assign(rng as unknown as Record<string, number>, { s0: 1, s1: 2, s2: 3, s3: 4 });
  assert.deepEqual(draws(rng, 10), [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
});

test("golden values pin the seeding (a change is a visible, deliberate act)", () => {
  assert.deepEqual(draws(new Random(12345), 4), [2314518269, 2498321016, 2055377852, 4042509560]);
});

test("invalid seeds are refused", () => {
  for (const s of [NaN, Infinity, -Infinity, "1" as unknown as number]) {
    assert.throws(() => new Random(s), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
  }
});

test("nextFloat is in [0, 1) with mean 1/2 and variance 1/12", () => {
  const rng = new Random(1);
  let lo = 1;
  let hi = 0;
  const m = moments(200_000, () => {
    const x = rng.nextFloat();
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    return x;
  });
  assert.ok(lo >= 0 && hi < 1);
  assert.ok(Math.abs(m.mean - 0.5) < 0.004, `mean ${m.mean}`);
  assert.ok(Math.abs(m.variance - 1 / 12) < 0.002, `variance ${m.variance}`);
});

test("nextInt: bounds, uniformity (chi-square), large bounds, validation", () => {
  const rng = new Random(2);
  const k = 10;
  const n = 100_000;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const x = rng.nextInt(k);
    assert.ok(Number.isInteger(x) && x >= 0 && x < k);
    counts[x]!++;
  }
  const expected = n / k;
  const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 30, `chi2 ${chi2} (9 degrees of freedom; 30 is p < 0.001)`);
  for (let i = 0; i < 1000; i++) {
    const x = rng.nextInt(2 ** 40 + 3);
    assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 40 + 3);
    assert.ok(rng.nextInt(0x7fffffff) < 0x7fffffff);
  }
  assert.equal(rng.nextInt(1), 0);
  // Big bounds use the high bits too.
  assert.ok(Array.from({ length: 100 }, () => rng.nextInt(2 ** 53)).some((x) => x > 2 ** 52));
  for (const bad of [0, -1, 1.5, NaN, 2 ** 53 + 2]) assert.throws(() => rng.nextInt(bad), TsparkError);
});

test("nextGaussian: mean 0, variance 1", () => {
  const rng = new Random(3);
  const m = moments(200_000, () => rng.nextGaussian());
  assert.ok(Math.abs(m.mean) < 0.01, `mean ${m.mean}`);
  assert.ok(Math.abs(m.variance - 1) < 0.02, `variance ${m.variance}`);
});

test("nextExponential: mean 1, variance 1, positive", () => {
  const rng = new Random(4);
  const m = moments(200_000, () => {
    const x = rng.nextExponential();
    assert.ok(x >= 0 && Number.isFinite(x));
    return x;
  });
  assert.ok(Math.abs(m.mean - 1) < 0.01, `mean ${m.mean}`);
  assert.ok(Math.abs(m.variance - 1) < 0.03, `variance ${m.variance}`);
});

test("nextPoisson: mean and variance equal the mean, small and large", () => {
  const rng = new Random(5);
  for (const mean of [0.05, 0.3, 1, 3, 9.9, 10, 15, 100, 5000]) {
    const n = 40_000;
    const m = moments(n, () => {
      const k = rng.nextPoisson(mean);
      assert.ok(Number.isInteger(k) && k >= 0);
      return k;
    });
    // 6 standard errors of the sample mean; the variance within 6%.
    assert.ok(Math.abs(m.mean - mean) < 6 * Math.sqrt(mean / n), `mean ${m.mean} for ${mean}`);
    assert.ok(Math.abs(m.variance / mean - 1) < 0.06, `variance ${m.variance} for ${mean}`);
  }
  assert.equal(rng.nextPoisson(0), 0);
  for (const bad of [-1, NaN, Infinity]) assert.throws(() => rng.nextPoisson(bad), TsparkError);
});

test("nextPoisson: the probability mass of small counts (mean 2)", () => {
  const rng = new Random(6);
  const n = 100_000;
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < n; i++) {
    const k = rng.nextPoisson(2);
    if (k < 6) counts[k]!++;
  }
  let p = Math.exp(-2);
  for (let k = 0; k < 6; k++) {
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(counts[k]! - n * p) < 5 * sd, `P(${k}): ${counts[k]! / n} vs ${p}`);
    p = (p * 2) / (k + 1);
  }
});

test("nextPoissonAtLeastOne: the zero-truncated Poisson", () => {
  const rng = new Random(7);
  for (const mean of [0.01, 0.4, 3, 20]) {
    const n = 40_000;
    const expected = mean / (1 - Math.exp(-mean));
    const m = moments(n, () => {
      const k = rng.nextPoissonAtLeastOne(mean);
      assert.ok(Number.isInteger(k) && k >= 1);
      return k;
    });
    assert.ok(Math.abs(m.mean - expected) < 6 * Math.sqrt(Math.max(m.variance, 1e-4) / n), `mean ${m.mean} vs ${expected}`);
  }
  assert.throws(() => rng.nextPoissonAtLeastOne(0), TsparkError);
});

test("shuffle: a deterministic permutation, every position reachable", () => {
  const xs = Array.from({ length: 50 }, (_, i) => i);
  const a = new Random(8).shuffle([...xs]);
  const b = new Random(8).shuffle([...xs]);
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), xs);
  assert.notDeepEqual(a, xs);
  // Element 0 ends up in each of 4 slots about equally often.
  const rng = new Random(9);
  const where = [0, 0, 0, 0];
  for (let i = 0; i < 40_000; i++) where[rng.shuffle([0, 1, 2, 3]).indexOf(0)]!++;
  for (const c of where) assert.ok(Math.abs(c - 10_000) < 500, `${where}`);
  assert.deepEqual(new Random(1).shuffle([]), []);
});

test("seedForPartition: deterministic, distinct per partition and seed, a safe integer", () => {
  const seen = new Set<number>();
  for (let p = 0; p < 1000; p++) {
    const s = seedForPartition(42, p);
    assert.ok(Number.isSafeInteger(s) && s >= 0);
    assert.equal(s, seedForPartition(42, p));
    seen.add(s);
  }
  assert.equal(seen.size, 1000);
  assert.notEqual(seedForPartition(42, 0), seedForPartition(43, 0));
  assert.notEqual(seedForPartition(42, 1), seedForPartition(43, 0)); // not just seed ^ split
  assert.equal(seedForPartition(5n, 3), seedForPartition(5, 3));
  // Neighbouring partitions' streams are unrelated: first floats are not close.
  const firsts = Array.from({ length: 8 }, (_, p) => new Random(seedForPartition(1, p)).nextFloat());
  assert.ok(new Set(firsts.map((x) => Math.floor(x * 4))).size > 1);
  for (const bad of [-1, 1.5, NaN]) assert.throws(() => seedForPartition(1, bad), TsparkError);
});

test("randomSeed: safe non-negative integers that vary", () => {
  const seeds = Array.from({ length: 20 }, randomSeed);
  for (const s of seeds) assert.ok(Number.isSafeInteger(s) && s >= 0);
  assert.ok(new Set(seeds).size > 15);
  assert.ok(seeds.some((s) => s > 2 ** 32), "uses more than 32 bits");
});

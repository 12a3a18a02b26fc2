/**
 * Per-partition samplers with PySpark's semantics (pyspark/rddsampler.py), and the driver
 * side arithmetic of `takeSample` and `randomSplit`.
 *
 * A sampler is built once per partition (seeded from the job's seed and the partition
 * index) and fed the partition batch by batch; its generator persists across batches, so
 * the result does not depend on how the partition was cut into batches.
 */
import { TsparkError } from "../errors.js";
import { Random, randomSeed, seedForPartition } from "./random.js";

// Re-exported so callers that sample need one import.
export { Random, randomSeed, seedForPartition } from "./random.js";

/**
 * Fractions at or below this use gap sampling (draw how many records to skip, not one draw
 * per record), as Scala Spark's samplers do: same distribution, far fewer draws.
 *
 * @example
 * new BernoulliSampler(0.01, seed, 0); // fraction ≤ 0.4: one draw per kept record
 */
export const GAP_SAMPLING_MAX_FRACTION = 0.4;

/**
 * One partition's sampler: call `sampleBatch` on consecutive batches of the partition.
 *
 * @example
 * const s: PartitionSampler<string> = createSampler(false, 0.1, seed, partitionIndex);
 * for (const batch of input) { const kept = s.sampleBatch(batch); if (kept.length) emit(kept); }
 */
export interface PartitionSampler<T> {
  /**
   * The sampled records of this batch, in input order (with replacement, a record's copies
   * are adjacent). Appends to `out` when given, else returns a new array.
   */
  sampleBatch(records: readonly T[], out?: T[]): T[];
}

/**
 * Checks a `sample` fraction as Spark does: a non-negative number, at most 1 without
 * replacement (PySpark's Python sampler silently keeps everything above 1; Scala refuses),
 * finite with replacement. Throws INVALID_ARGUMENT.
 *
 * @example
 * validateFraction(false, 0.1); // ok
 * validateFraction(false, 1.5); // throws
 */
export function validateFraction(withReplacement: boolean, fraction: number): void {
  if (typeof fraction !== "number" || Number.isNaN(fraction)) {
    throw new TsparkError("INVALID_ARGUMENT", `Fraction must be a number, got ${String(fraction)}`);
  }
  if (fraction < 0) throw new TsparkError("INVALID_ARGUMENT", `Fraction must be nonnegative, got ${fraction}`);
  if (!withReplacement && fraction > 1) {
    throw new TsparkError("INVALID_ARGUMENT", `Fraction must be in [0, 1] when sampling without replacement, got ${fraction}`);
  }
  if (!Number.isFinite(fraction)) throw new TsparkError("INVALID_ARGUMENT", `Fraction must be finite, got ${fraction}`);
}

/** Records to skip before the next hit when each record is a hit with probability 1 - e^(-rate). */
function geometricSkip(rng: Random, negLogMissProbability: number): number {
  // floor(log(U) / log(1 - p)) with U in (0, 1]: the number of failures before a success.
  return Math.floor(Math.log(1 - rng.nextFloat()) / -negLogMissProbability);
}

/**
 * Sampling without replacement: each record is kept independently with probability
 * `fraction` (PySpark's `RDDSampler` with `withReplacement=False`).
 *
 * @example
 * const s = new BernoulliSampler<number>(0.1, seed, partitionIndex);
 * for (const batch of batches) emit(s.sampleBatch(batch));
 */
export class BernoulliSampler<T> implements PartitionSampler<T> {
  private readonly rng: Random;
  private readonly fraction: number;
  private readonly gap: boolean;
  private readonly negLogMiss: number;
  /** With gap sampling: records still to skip before the next kept one (carries over batches). */
  private skip = -1;

  constructor(fraction: number, seed: number | bigint, partitionIndex: number) {
    validateFraction(false, fraction);
    this.fraction = fraction;
    this.rng = new Random(seedForPartition(seed, partitionIndex));
    this.gap = fraction > 0 && fraction <= GAP_SAMPLING_MAX_FRACTION;
    this.negLogMiss = -Math.log1p(-fraction);
  }

  sampleBatch(records: readonly T[], out: T[] = []): T[] {
    const n = records.length;
    const fraction = this.fraction;
    if (fraction === 0) return out;
    if (fraction === 1) {
      for (let i = 0; i < n; i++) out.push(records[i]!);
      return out;
    }
    if (!this.gap) {
      for (let i = 0; i < n; i++) if (this.rng.nextFloat() < fraction) out.push(records[i]!);
      return out;
    }
    if (this.skip < 0) this.skip = geometricSkip(this.rng, this.negLogMiss);
    let i = this.skip;
    while (i < n) {
      out.push(records[i]!);
      i += 1 + geometricSkip(this.rng, this.negLogMiss);
    }
    this.skip = i - n;
    return out;
  }
}

/**
 * Sampling with replacement: each record appears Poisson(`fraction`) times, adjacent
 * (PySpark's `RDDSampler` with `withReplacement=True`). `fraction` may exceed 1.
 *
 * @example
 * const s = new PoissonSampler<string>(2, seed, partitionIndex); // about twice each record
 * s.sampleBatch(["a", "b"]); // e.g. ["a", "a", "a", "b"]
 */
export class PoissonSampler<T> implements PartitionSampler<T> {
  private readonly rng: Random;
  private readonly fraction: number;
  private readonly gap: boolean;
  private skip = -1;

  constructor(fraction: number, seed: number | bigint, partitionIndex: number) {
    validateFraction(true, fraction);
    this.fraction = fraction;
    this.rng = new Random(seedForPartition(seed, partitionIndex));
    this.gap = fraction > 0 && fraction <= GAP_SAMPLING_MAX_FRACTION;
  }

  sampleBatch(records: readonly T[], out: T[] = []): T[] {
    const n = records.length;
    const fraction = this.fraction;
    if (fraction === 0) return out;
    if (!this.gap) {
      for (let i = 0; i < n; i++) {
        const x = records[i]!;
        for (let c = this.rng.nextPoisson(fraction); c > 0; c--) out.push(x);
      }
      return out;
    }
    // A record is drawn at all with probability 1 - e^(-fraction): skip geometrically to the
    // next such record, then draw its count from the Poisson conditioned on ≥ 1.
    if (this.skip < 0) this.skip = geometricSkip(this.rng, fraction);
    let i = this.skip;
    while (i < n) {
      const x = records[i]!;
      for (let c = this.rng.nextPoissonAtLeastOne(fraction); c > 0; c--) out.push(x);
      i += 1 + geometricSkip(this.rng, fraction);
    }
    this.skip = i - n;
    return out;
  }
}

/**
 * The sampler `rdd.sample(withReplacement, fraction, seed)` runs on partition `partitionIndex`.
 *
 * @example
 * const s = createSampler<number>(false, 0.5, 42, ctx.partitionId);
 * const kept = s.sampleBatch([1, 2, 3, 4]);
 */
export function createSampler<T>(withReplacement: boolean, fraction: number, seed: number | bigint, partitionIndex: number): PartitionSampler<T> {
  return withReplacement
    ? new PoissonSampler<T>(fraction, seed, partitionIndex)
    : new BernoulliSampler<T>(fraction, seed, partitionIndex);
}

/**
 * `randomSplit`'s sampler (PySpark's `RDDRangeSampler`): one uniform draw per record, kept
 * when it falls in [lowerBound, upperBound). Every split of one `randomSplit` call uses the
 * same seed, so a record draws the same number in each, and the splits' ranges tile [0, 1):
 * the splits are disjoint and together hold every record (given the parent recomputes its
 * partitions in the same order).
 *
 * @example
 * const [lb, ub] = splitBounds([2, 3])[0]!;          // [0, 0.4]
 * new RangeSampler<number>(lb, ub, 17, 0).sampleBatch(records);
 */
export class RangeSampler<T> implements PartitionSampler<T> {
  private readonly rng: Random;

  constructor(
    private readonly lowerBound: number,
    private readonly upperBound: number,
    seed: number | bigint,
    partitionIndex: number,
  ) {
    if (!(lowerBound >= 0 && lowerBound <= upperBound && upperBound <= 1)) {
      throw new TsparkError("INVALID_ARGUMENT", `Range sampler bounds must satisfy 0 <= lower <= upper <= 1, got [${lowerBound}, ${upperBound})`);
    }
    this.rng = new Random(seedForPartition(seed, partitionIndex));
  }

  sampleBatch(records: readonly T[], out: T[] = []): T[] {
    const lb = this.lowerBound;
    const ub = this.upperBound;
    for (let i = 0; i < records.length; i++) {
      // Draw for every record, kept or not: the streams of all splits must stay aligned.
      const u = this.rng.nextFloat();
      if (u >= lb && u < ub) out.push(records[i]!);
    }
    return out;
  }
}

/**
 * PySpark's name for {@link RangeSampler}.
 *
 * @example
 * new RDDRangeSampler<number>(0, 0.5, seed, partitionIndex);
 */
export { RangeSampler as RDDRangeSampler };

/**
 * `sampleByKey`'s sampler (PySpark's `RDDStratifiedSampler`): a pair `[k, v]` is sampled
 * with the fraction of its key, one draw per record. `fractionOf` returns the key's fraction
 * (e.g. `(k) => fractions.get(k)`); a key without one is an INVALID_ARGUMENT error, as
 * PySpark's KeyError. A fraction is validated whenever it differs from the previous record's.
 *
 * @example
 * const s = new StratifiedSampler<string, number>(false, (k) => ({ a: 0.1, b: 0.5 })[k], 7, 0);
 * s.sampleBatch([["a", 1], ["b", 2]]);
 */
export class StratifiedSampler<K, V> implements PartitionSampler<[K, V]> {
  private readonly rng: Random;
  private lastChecked = NaN;

  constructor(
    private readonly withReplacement: boolean,
    private readonly fractionOf: (key: K) => number | undefined,
    seed: number | bigint,
    partitionIndex: number,
  ) {
    this.rng = new Random(seedForPartition(seed, partitionIndex));
  }

  sampleBatch(records: readonly [K, V][], out: [K, V][] = []): [K, V][] {
    for (let i = 0; i < records.length; i++) {
      const rec = records[i]!;
      const f = this.fractionOf(rec[0]);
      if (f !== this.lastChecked) {
        if (f === undefined) throw new TsparkError("INVALID_ARGUMENT", `sampleByKey: no fraction given for key ${String(rec[0])}`);
        validateFraction(this.withReplacement, f);
        this.lastChecked = f;
      }
      const fraction = f as number;
      if (this.withReplacement) {
        for (let c = this.rng.nextPoisson(fraction); c > 0; c--) out.push(rec);
      } else if (this.rng.nextFloat() < fraction) {
        out.push(rec);
      }
    }
    return out;
  }
}

/**
 * A uniform sample of at most `size` of a stream of unknown length, and the stream's length,
 * in one pass (sortByKey's range bounds: Spark's RangePartitioner sketches so, where PySpark
 * counts first and samples in a second pass). Algorithm L: after the reservoir fills, the
 * number of items to skip before the next one taken is drawn, so random numbers are drawn
 * O(size · log(n / size)) times, not once per item.
 *
 * @example
 * const r = new Reservoir<number>(2, new Random(1));
 * for (let i = 0; i < 100; i++) r.add(i);
 * r.count; // → 100
 * r.sample.length; // → 2
 */
export class Reservoir<T> {
  readonly sample: T[] = [];
  count = 0;
  private w = 1;
  /** The count at which the next item is taken. */
  private next = 0;

  constructor(private readonly size: number, private readonly rng: Random) {
    if (!Number.isSafeInteger(size) || size < 1) throw new TsparkError("INVALID_ARGUMENT", `reservoir size must be a positive integer, got ${size}`);
  }

  add(item: T): void {
    const i = this.count++;
    if (i < this.size) {
      this.sample.push(item);
      if (i === this.size - 1) this.skip();
      return;
    }
    if (i < this.next) return;
    this.sample[this.rng.nextInt(this.size)] = item;
    this.skip();
  }

  private skip(): void {
    // 1 - nextFloat() is in (0, 1]: log never sees 0.
    this.w *= Math.exp(Math.log(1 - this.rng.nextFloat()) / this.size);
    const gap = Math.floor(Math.log(1 - this.rng.nextFloat()) / Math.log(1 - this.w));
    this.next = this.count + (Number.isFinite(gap) ? gap : Number.MAX_SAFE_INTEGER);
  }
}

/**
 * A sampling rate that yields at least `sampleSizeLowerBound` of `total` records 99.99% of
 * the time (PySpark's `RDD._computeFractionForSampleSize`, the same bounds): with
 * replacement `p + k·sqrt(p/total)` (k = 9 under 12 samples, else 5); without replacement
 * a Chernoff bound with δ = 5e-5, capped at 1.
 *
 * @example
 * computeFractionForSampleSize(10, 1000, false); // ≈ 0.0318
 */
export function computeFractionForSampleSize(sampleSizeLowerBound: number, total: number, withReplacement: boolean): number {
  if (!(sampleSizeLowerBound >= 0) || !(total > 0)) {
    throw new TsparkError("INVALID_ARGUMENT", `computeFractionForSampleSize needs a sample size >= 0 and a total > 0, got ${sampleSizeLowerBound} of ${total}`);
  }
  const fraction = sampleSizeLowerBound / total;
  if (withReplacement) {
    const numStDev = sampleSizeLowerBound < 12 ? 9 : 5;
    return fraction + numStDev * Math.sqrt(fraction / total);
  }
  const delta = 0.00005;
  const gamma = -Math.log(delta) / total;
  return Math.min(1, fraction + gamma + Math.sqrt(gamma * gamma + 2 * gamma * fraction));
}

/**
 * The largest `takeSample` size accepted (PySpark: `sys.maxsize - int(10 * sqrt(sys.maxsize))`,
 * here with 2^53 - 1 as the largest exact integer).
 *
 * @example
 * if (num > MAX_SAMPLE_SIZE) throw new Error("too large");
 */
export const MAX_SAMPLE_SIZE = Number.MAX_SAFE_INTEGER - Math.floor(10 * Math.sqrt(Number.MAX_SAFE_INTEGER));

/**
 * What `takeSampleFrom` needs of an RDD.
 *
 * @example
 * const src: TakeSampleSource<T> = { count: () => rdd.count(), collect: () => rdd.collect(),
 *   sampleCollect: (w, f, s) => rdd.sample(w, f, s).collect() };
 */
export interface TakeSampleSource<T> {
  count(): Promise<number>;
  collect(): Promise<T[]>;
  /** `rdd.sample(withReplacement, fraction, seed).collect()`. */
  sampleCollect(withReplacement: boolean, fraction: number, seed: number): Promise<T[]>;
}

/**
 * `takeSample`'s driver logic, as PySpark: count; when all records are wanted without
 * replacement, shuffle them all; else sample with a fraction sized to succeed with
 * probability 0.9999, retrying with a fresh seed until the sample is big enough; shuffle;
 * keep `num`.
 *
 * @example
 * const xs = await takeSampleFrom({
 *   count: () => rdd.count(),
 *   collect: () => rdd.collect(),
 *   sampleCollect: (w, f, s) => rdd.sample(w, f, s).collect(),
 * }, false, 10, 42);
 */
export async function takeSampleFrom<T>(source: TakeSampleSource<T>, withReplacement: boolean, num: number, seed?: number): Promise<T[]> {
  if (!Number.isInteger(num) || num < 0) throw new TsparkError("INVALID_ARGUMENT", `Sample size must be a non-negative integer, got ${num}`);
  if (num > MAX_SAMPLE_SIZE) throw new TsparkError("INVALID_ARGUMENT", `Sample size cannot be greater than ${MAX_SAMPLE_SIZE}.`);
  if (num === 0) return [];
  const initialCount = await source.count();
  if (initialCount === 0) return [];
  const firstSeed = seed ?? randomSeed();
  const rand = new Random(firstSeed);
  if (!withReplacement && num >= initialCount) return rand.shuffle(await source.collect());
  const fraction = computeFractionForSampleSize(num, initialCount, withReplacement);
  let samples = await source.sampleCollect(withReplacement, fraction, firstSeed);
  // Rare (the fraction aims at 99.99% success): retry with a new seed, as Spark does.
  while (samples.length < num) samples = await source.sampleCollect(withReplacement, fraction, rand.nextInt(Number.MAX_SAFE_INTEGER));
  rand.shuffle(samples);
  samples.length = num;
  return samples;
}

/**
 * `randomSplit`'s bounds: the weights normalized to cumulative `[lower, upper)` ranges
 * tiling [0, 1) (the last upper bound is exactly 1). Weights must be non-negative with a
 * positive sum, as PySpark requires.
 *
 * @example
 * splitBounds([1, 3]); // [[0, 0.25], [0.25, 1]]
 */
export function splitBounds(weights: readonly number[]): [number, number][] {
  if (!Array.isArray(weights) || weights.length === 0) throw new TsparkError("INVALID_ARGUMENT", "randomSplit needs at least one weight");
  let total = 0;
  for (const w of weights) {
    if (typeof w !== "number" || !(w >= 0) || !Number.isFinite(w)) throw new TsparkError("INVALID_ARGUMENT", `Weights must be nonnegative finite numbers, got ${String(w)}`);
    total += w;
  }
  if (!(total > 0)) throw new TsparkError("INVALID_ARGUMENT", "Sum of weights must be positive");
  const bounds: [number, number][] = [];
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    const lb = acc / total;
    acc += weights[i]!;
    bounds.push([lb, i === weights.length - 1 ? 1 : acc / total]);
  }
  return bounds;
}

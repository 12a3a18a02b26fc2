/**
 * A small, fast, seeded PRNG for sampling and shuffling. The same seed gives the same
 * stream in every process and on every machine, which is what makes `sample`, `randomSplit`
 * and `takeSample` reproducible (Math.random cannot be seeded).
 *
 * Generator: xoshiro128** (32-bit words, so every step is plain int32 arithmetic in V8),
 * its 128-bit state filled from the seed by splitmix64.
 */
import { randomBytes } from "node:crypto";
import { TsparkError } from "../errors.js";

const TWO_32 = 0x1_0000_0000;
const TWO_53 = 9007199254740992;
const MASK_64 = (1n << 64n) - 1n;

/** splitmix64's output function: a bijective 64-bit mixer with full avalanche. */
function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/**
 * The seed as 64 bits: integers exactly (negative ones two's complement, as Python's
 * `seed ^ split` would treat them), other finite numbers by their IEEE-754 bits.
 */
function seedBits(seed: number | bigint): bigint {
  if (typeof seed === "bigint") return BigInt.asUintN(64, seed);
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new TsparkError("INVALID_ARGUMENT", `A random seed must be a finite number or a bigint, got ${String(seed)}`);
  }
  if (Number.isInteger(seed)) return BigInt.asUintN(64, BigInt(seed));
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return view.getBigUint64(0);
}

/**
 * A seed in [0, 2^53) drawn from the OS entropy pool, for when the user gives none
 * (PySpark draws `random.randint(0, sys.maxsize)`). A safe integer, so it survives JSON.
 *
 * @example
 * const seed = randomSeed();           // e.g. 4503599627370497
 * new Random(seed).nextFloat();
 */
export function randomSeed(): number {
  const b = randomBytes(8);
  return (b.readUInt32BE(0) >>> 11) * TWO_32 + b.readUInt32BE(4);
}

/**
 * The seed for one partition's stream, derived from the job's seed. PySpark seeds split `i`
 * with `seed ^ i` and then discards draws because neighbouring seeds correlate; hashing
 * both instead gives unrelated streams at once. Result: a safe integer in [0, 2^53).
 *
 * @example
 * const rng = new Random(seedForPartition(42, partitionIndex));
 */
export function seedForPartition(seed: number | bigint, partitionIndex: number): number {
  if (!Number.isSafeInteger(partitionIndex) || partitionIndex < 0) {
    throw new TsparkError("INVALID_ARGUMENT", `partitionIndex must be a non-negative integer, got ${partitionIndex}`);
  }
  const h = mix64((seedBits(seed) + 0x9e3779b97f4a7c15n * (BigInt(partitionIndex) + 1n)) & MASK_64);
  return Number(h >> 11n);
}

// log(k!) for small k, tabulated once: the Poisson rejection sampler needs it per draw.
const LOG_FACT_TABLE_SIZE = 128;
const LOG_FACT = new Float64Array(LOG_FACT_TABLE_SIZE);
for (let k = 2; k < LOG_FACT_TABLE_SIZE; k++) LOG_FACT[k] = LOG_FACT[k - 1]! + Math.log(k);

/** log(k!) for a non-negative integer k: a table, then Stirling's series (error < 1e-15 past 128). */
function logFactorial(k: number): number {
  if (k < LOG_FACT_TABLE_SIZE) return LOG_FACT[k]!;
  const x = k + 1;
  const ix2 = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + 0.9189385332046728 + (1 / x) * (1 / 12 - ix2 * (1 / 360 - ix2 / 1260));
}

/** Below this mean Poisson draws multiply uniforms (Knuth); above, PTRS rejection, O(1). */
const POISSON_KNUTH_LIMIT = 10;

/**
 * A seeded pseudo-random generator (xoshiro128**). Not cryptographic. Draws allocate nothing.
 *
 * @example
 * const rng = new Random(42);
 * rng.nextFloat();      // in [0, 1)
 * rng.nextInt(6) + 1;   // a die roll
 * rng.nextPoisson(0.5); // 0, 1, 2, ...
 */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareGaussian = 0;
  private hasSpareGaussian = false;
  // Constants of the last Poisson mean, cached: samplers draw with one mean per record.
  private poissonMean = NaN;
  private poissonL = 0; // exp(-mean), Knuth
  private ptrsA = 0;
  private ptrsB = 0;
  private ptrsVr = 0;
  private ptrsLogInvAlpha = 0;
  private ptrsLogMean = 0;

  /** `seed`: any finite number or bigint; equal seeds give equal streams. */
  constructor(seed: number | bigint) {
    let z = seedBits(seed);
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      z = (z + 0x9e3779b97f4a7c15n) & MASK_64;
      const r = mix64(z);
      words.push(Number(r & 0xffffffffn), Number(r >> 32n));
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    // xoshiro's one forbidden state; splitmix64 cannot produce it for two outputs, but be sure.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * A uniform 32-bit unsigned integer.
   *
   * @example
   * new Random(1).nextUint32(); // 0 ≤ x < 2^32
   */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /**
   * A uniform float in [0, 1) with 53 random bits (every double in the grid 2^-53 is reachable).
   *
   * @example
   * if (rng.nextFloat() < fraction) keep(record);
   */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_53;
  }

  /**
   * A uniform integer in [0, n), unbiased (rejection sampling). `n`: an integer in [1, 2^53].
   *
   * @example
   * rng.nextInt(0x7fffffff); // a seed for a retry, as takeSample does
   */
  nextInt(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= TWO_53)) {
      throw new TsparkError("INVALID_ARGUMENT", `nextInt bound must be an integer in [1, 2^53], got ${n}`);
    }
    if (n <= TWO_32) {
      // Reject the top partial block so every residue is equally likely.
      const limit = TWO_32 - (TWO_32 % n);
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return x % n;
    }
    const limit = TWO_53 - (TWO_53 % n);
    let x: number;
    do x = (this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6);
    while (x >= limit);
    return x % n;
  }

  /**
   * A standard normal draw (mean 0, standard deviation 1), by Marsaglia's polar method; the
   * second value of each pair is kept for the next call.
   *
   * @example
   * const noise = 0.1 * rng.nextGaussian();
   */
  nextGaussian(): number {
    if (this.hasSpareGaussian) {
      this.hasSpareGaussian = false;
      return this.spareGaussian;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.nextFloat() - 1;
      v = 2 * this.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareGaussian = v * f;
    this.hasSpareGaussian = true;
    return u * f;
  }

  /**
   * An exponential draw with rate 1 (mean 1).
   *
   * @example
   * const waitSeconds = rng.nextExponential() / ratePerSecond;
   */
  nextExponential(): number {
    // 1 - u lies in (0, 1], so the log is finite.
    return -Math.log(1 - this.nextFloat());
  }

  /**
   * A Poisson draw with the given mean (≥ 0, finite): Knuth's product of uniforms for small
   * means (as PySpark), Hörmann's PTRS rejection for large ones so the cost stays O(1).
   *
   * @example
   * const copies = rng.nextPoisson(fraction); // sampling with replacement
   */
  nextPoisson(mean: number): number {
    if (mean !== this.poissonMean) this.preparePoisson(mean);
    if (mean === 0) return 0;
    if (mean < POISSON_KNUTH_LIMIT) {
      const l = this.poissonL;
      let k = 0;
      let p = this.nextFloat();
      while (p > l) {
        k++;
        p *= this.nextFloat();
      }
      return k;
    }
    const a = this.ptrsA;
    const b = this.ptrsB;
    for (;;) {
      const u = this.nextFloat() - 0.5;
      const v = this.nextFloat();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= this.ptrsVr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + this.ptrsLogInvAlpha - Math.log(a / (us * us) + b) <= -mean + k * this.ptrsLogMean - logFactorial(k)) return k;
    }
  }

  /**
   * A draw from the Poisson distribution conditioned on being at least 1 (zero-truncated).
   * Gap sampling with replacement needs it: the skip already decided the count is not 0.
   *
   * @example
   * const copies = rng.nextPoissonAtLeastOne(0.01); // 1 almost always
   */
  nextPoissonAtLeastOne(mean: number): number {
    if (mean !== this.poissonMean) this.preparePoisson(mean);
    if (mean === 0) {
      throw new TsparkError("INVALID_ARGUMENT", "nextPoissonAtLeastOne needs a positive mean");
    }
    if (mean >= POISSON_KNUTH_LIMIT) {
      // P(0) is below 5e-5 here: rejecting zeros costs almost nothing.
      let k = this.nextPoisson(mean);
      while (k === 0) k = this.nextPoisson(mean);
      return k;
    }
    // Knuth's count is ≥ 1 exactly when the first uniform exceeds L: draw it from (L, 1].
    const l = this.poissonL;
    let p = l + (1 - l) * (1 - this.nextFloat());
    let k = 0;
    while (p > l) {
      k++;
      p *= this.nextFloat();
    }
    return k;
  }

  /**
   * Shuffles `array` in place (Fisher–Yates) and returns it.
   *
   * @example
   * new Random(7).shuffle([1, 2, 3, 4]); // a permutation, the same one for seed 7
   */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i]!;
      array[i] = array[j]!;
      array[j] = tmp;
    }
    return array;
  }

  private preparePoisson(mean: number): void {
    if (!(mean >= 0 && Number.isFinite(mean))) {
      throw new TsparkError("INVALID_ARGUMENT", `Poisson mean must be a non-negative finite number, got ${mean}`);
    }
    this.poissonMean = mean;
    this.poissonL = Math.exp(-mean);
    if (mean >= POISSON_KNUTH_LIMIT) {
      // PTRS constants (W. Hörmann, "The transformed rejection method for generating Poisson
      // random variables", 1993).
      const smu = Math.sqrt(mean);
      const b = 0.931 + 2.53 * smu;
      this.ptrsB = b;
      this.ptrsA = -0.059 + 0.02483 * b;
      this.ptrsLogInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
      this.ptrsVr = 0.9277 - 3.6224 / (b - 2);
      this.ptrsLogMean = Math.log(mean);
    }
  }
}

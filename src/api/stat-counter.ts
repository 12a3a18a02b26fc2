/**
 * Running count, mean, variance, min and max of numbers in one pass, mergeable across
 * partitions: PySpark's `StatCounter` (pyspark/statcounter.py, itself a port of Spark's
 * StatCounter.scala). Welford's update per value, Chan et al.'s formula to merge two.
 */
import { TsparkError } from "../errors.js";

/**
 * How a non-finite number travels in {@link StatCounterJSON} (JSON has no NaN or Infinity).
 *
 * @example
 * new StatCounter().toJSON().min; // "Infinity"
 */
export type NonFiniteNumber = "NaN" | "Infinity" | "-Infinity";

/**
 * Plain data form of a {@link StatCounter}: survives JSON and structured clone alike.
 *
 * @example
 * new StatCounter([1, 2]).toJSON(); // { n: 2, mu: 1.5, m2: 0.5, min: 1, max: 2 }
 */
export interface StatCounterJSON {
  /** Number of values. */
  n: number;
  /** Running mean. */
  mu: number | NonFiniteNumber;
  /** Running sum of squared deviations from the mean. */
  m2: number | NonFiniteNumber;
  /** Smallest value. */
  min: number | NonFiniteNumber;
  /** Largest value. */
  max: number | NonFiniteNumber;
}

/**
 * The summary {@link StatCounter.asDict} returns.
 *
 * @example
 * const { count, mean, stdev }: StatCounterDict = (await rdd.stats()).asDict();
 */
export interface StatCounterDict {
  /** Number of values. */
  count: number;
  /** Mean of the values. */
  mean: number;
  /** Sum of the values. */
  sum: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Standard deviation (sample or population, as asked). */
  stdev: number;
  /** Variance (sample or population, as asked). */
  variance: number;
}

function encode(x: number): number | NonFiniteNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

function decode(x: unknown, field: string): number {
  if (typeof x === "number") return x;
  if (x === "NaN") return NaN;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  throw new TsparkError("INVALID_ARGUMENT", `StatCounter.fromJSON: field ${field} is not a number (${JSON.stringify(x)})`);
}

/**
 * A float as Python's `repr` prints it (`2.0`, `0.816496580927726`, `1e-05`, `inf`, `nan`),
 * so `toString()` reads exactly like PySpark's.
 */
function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // toExponential() without digits gives the shortest round-tripping digits, as repr does.
  const [mant, expStr] = x.toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac.length > 0 ? frac : "0"}`;
}

/**
 * Count, mean, sum, min, max, variance and standard deviation of a stream of numbers,
 * computed in one pass and mergeable. An empty counter has count 0, mean 0, min +Infinity,
 * max -Infinity and NaN variance, as PySpark's. A NaN value makes min/max NaN (as Scala's
 * math.min/max and numpy's minimum/maximum, which PySpark uses).
 *
 * @example
 * ```ts
 * const s = new StatCounter([1, 2, 3]);
 * s.mean(); // → 2
 * s.variance(); // → 0.6666666666666666
 * s.sampleStdev(); // → 1
 * String(s); // → "(count: 3, mean: 2.0, stdev: 0.816496580927726, max: 3.0, min: 1.0)"
 * ```
 */
export class StatCounter {
  private n = 0; // count
  private mu = 0; // running mean
  private m2 = 0; // running sum of squared deviations from the mean
  private maxValue = -Infinity;
  private minValue = Infinity;

  /**
   * Starts empty, or with the statistics of `values`.
   *
   * @example
   * ```ts
   * new StatCounter().count(); // → 0
   * new StatCounter([1, 2, 3]).mean(); // → 2
   * ```
   */
  constructor(values?: Iterable<number>) {
    if (values !== undefined) for (const v of values) this.merge(v);
  }

  /**
   * Adds one value (Welford's update). Bigints are converted to numbers; anything else that
   * is not a number is an INVALID_ARGUMENT error.
   *
   * @example
   * ```ts
   * const s = new StatCounter();
   * for (const x of [4, 8, 15]) s.merge(x);
   * [s.count(), s.sum(), s.max()]; // → [3, 27, 15]
   * ```
   */
  merge(value: number): this {
    if (typeof value !== "number") value = StatCounter.coerce(value);
    const delta = value - this.mu;
    this.n += 1;
    this.mu += delta / this.n;
    this.m2 += delta * (value - this.mu);
    this.maxValue = Math.max(this.maxValue, value);
    this.minValue = Math.min(this.minValue, value);
    return this;
  }

  /**
   * Merges another counter's statistics into this one (Chan et al.), as if its values had
   * been merged here. Merging a counter into itself doubles it.
   *
   * @example
   * ```ts
   * const total = new StatCounter();
   * for (const part of [new StatCounter([1, 2]), new StatCounter([3])]) total.mergeStats(part);
   * [total.count(), total.mean()]; // → [3, 2]
   * ```
   */
  mergeStats(other: StatCounter): this {
    if (!(other instanceof StatCounter)) {
      throw new TsparkError("INVALID_ARGUMENT", `Can only merge StatCounter but got ${typeof other}`);
    }
    if (other === this) return this.mergeStats(other.copy()); // fields would change mid-update
    if (this.n === 0) {
      this.n = other.n;
      this.mu = other.mu;
      this.m2 = other.m2;
      this.maxValue = other.maxValue;
      this.minValue = other.minValue;
    } else if (other.n !== 0) {
      const delta = other.mu - this.mu;
      const n = this.n + other.n;
      // Spark's choice: shift from the bigger side's mean when one side dominates (fewer
      // rounding errors), weighted average otherwise.
      if (other.n * 10 < this.n) this.mu = this.mu + (delta * other.n) / n;
      else if (this.n * 10 < other.n) this.mu = other.mu - (delta * this.n) / n;
      else this.mu = (this.mu * this.n + other.mu * other.n) / n;
      this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
      this.n = n;
      this.maxValue = Math.max(this.maxValue, other.maxValue);
      this.minValue = Math.min(this.minValue, other.minValue);
    }
    return this;
  }

  /**
   * An independent copy.
   *
   * @example
   * ```ts
   * const s = new StatCounter([1, 2]);
   * const snapshot = s.copy();
   * s.merge(10);
   * [snapshot.count(), s.count()]; // → [2, 3]
   * ```
   */
  copy(): StatCounter {
    const c = new StatCounter();
    c.n = this.n;
    c.mu = this.mu;
    c.m2 = this.m2;
    c.maxValue = this.maxValue;
    c.minValue = this.minValue;
    return c;
  }

  /**
   * Number of values. `new StatCounter([1, 2]).count()` → 2.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2]).count(); // → 2
   * ```
   */
  count(): number {
    return this.n;
  }

  /**
   * Mean of the values; 0 when empty (as PySpark). `new StatCounter([1, 2]).mean()` → 1.5.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2]).mean(); // → 1.5
   * new StatCounter().mean(); // → 0
   * ```
   */
  mean(): number {
    return this.mu;
  }

  /**
   * Sum, computed as count × mean (as PySpark). `new StatCounter([1, 2]).sum()` → 3.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2]).sum(); // → 3
   * ```
   */
  sum(): number {
    return this.n * this.mu;
  }

  /**
   * Smallest value; +Infinity when empty. `new StatCounter([1, 2]).min()` → 1.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2]).min(); // → 1
   * new StatCounter().min(); // → Infinity
   * ```
   */
  min(): number {
    return this.minValue;
  }

  /**
   * Largest value; -Infinity when empty. `new StatCounter([1, 2]).max()` → 2.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2]).max(); // → 2
   * new StatCounter().max(); // → -Infinity
   * ```
   */
  max(): number {
    return this.maxValue;
  }

  /**
   * Population variance (divides by n); NaN when empty. `new StatCounter([1, 2, 3]).variance()` → 0.666...
   *
   * @example
   * ```ts
   * new StatCounter([1, 2, 3]).variance(); // → 0.6666666666666666
   * ```
   */
  variance(): number {
    return this.n === 0 ? NaN : this.m2 / this.n;
  }

  /**
   * Sample variance (divides by n - 1); NaN when count ≤ 1. `new StatCounter([1, 2, 3]).sampleVariance()` → 1.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2, 3]).sampleVariance(); // → 1
   * new StatCounter([1]).sampleVariance(); // → NaN
   * ```
   */
  sampleVariance(): number {
    return this.n <= 1 ? NaN : this.m2 / (this.n - 1);
  }

  /**
   * Population standard deviation. `new StatCounter([1, 2, 3]).stdev()` → 0.816...
   *
   * @example
   * ```ts
   * new StatCounter([1, 2, 3]).stdev(); // → 0.816496580927726
   * ```
   */
  stdev(): number {
    return Math.sqrt(this.variance());
  }

  /**
   * Sample standard deviation (divides by n - 1). `new StatCounter([1, 2, 3]).sampleStdev()` → 1.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2, 3]).sampleStdev(); // → 1
   * ```
   */
  sampleStdev(): number {
    return Math.sqrt(this.sampleVariance());
  }

  /**
   * The statistics as a plain object. `sample = true` gives the sample stdev and variance
   * (n - 1), `false` the population ones. Note: PySpark's `asDict` has these two swapped (its
   * default returns the sample figures); tspark follows the parameter's name.
   *
   * @example
   * ```ts
   * new StatCounter([1, 2, 3, 4]).asDict(true); // → { count: 4, mean: 2.5, sum: 10, min: 1, max: 4, stdev: 1.2909944487358056, variance: 1.6666666666666667 }
   * ```
   */
  asDict(sample = false): StatCounterDict {
    return {
      count: this.count(),
      mean: this.mean(),
      sum: this.sum(),
      min: this.min(),
      max: this.max(),
      stdev: sample ? this.sampleStdev() : this.stdev(),
      variance: sample ? this.sampleVariance() : this.variance(),
    };
  }

  /**
   * PySpark's repr: `(count: 3, mean: 2.0, stdev: 0.816496580927726, max: 3.0, min: 1.0)`.
   *
   * @example
   * ```ts
   * String(await sc.parallelize([1, 2, 3]).stats()); // → "(count: 3, mean: 2.0, stdev: 0.816496580927726, max: 3.0, min: 1.0)"
   * ```
   */
  toString(): string {
    return `(count: ${this.n}, mean: ${pythonFloat(this.mean())}, stdev: ${pythonFloat(this.stdev())}, max: ${pythonFloat(this.max())}, min: ${pythonFloat(this.min())})`;
  }

  /**
   * The internal state as plain data, to send a partition's counter to the driver.
   * Non-finite numbers are spelled as strings so the data also survives JSON.
   *
   * @example
   * ```ts
   * const s = new StatCounter([1, 2, Infinity]);
   * const wire = JSON.stringify(s); // calls toJSON
   * StatCounter.fromJSON(JSON.parse(wire)).max(); // → Infinity
   * ```
   */
  toJSON(): StatCounterJSON {
    return { n: this.n, mu: encode(this.mu), m2: encode(this.m2), min: encode(this.minValue), max: encode(this.maxValue) };
  }

  /**
   * Rebuilds a counter from {@link toJSON}'s data; malformed data is an INVALID_ARGUMENT error.
   *
   * @example
   * ```ts
   * const parts = [new StatCounter([1]).toJSON(), new StatCounter([2, 3]).toJSON()];
   * const total = parts.reduce((acc, p) => acc.mergeStats(StatCounter.fromJSON(p)), new StatCounter());
   * total.sum(); // → 6
   * ```
   */
  static fromJSON(data: StatCounterJSON): StatCounter {
    if (typeof data !== "object" || data === null) {
      throw new TsparkError("INVALID_ARGUMENT", "StatCounter.fromJSON expects an object");
    }
    const n = data.n;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new TsparkError("INVALID_ARGUMENT", `StatCounter.fromJSON: count must be a non-negative integer, got ${String(n)}`);
    }
    const c = new StatCounter();
    c.n = n;
    c.mu = decode(data.mu, "mu");
    c.m2 = decode(data.m2, "m2");
    c.minValue = decode(data.min, "min");
    c.maxValue = decode(data.max, "max");
    return c;
  }

  private static coerce(value: unknown): number {
    if (typeof value === "bigint") return Number(value);
    throw new TsparkError("INVALID_ARGUMENT", `StatCounter can only merge numbers, got ${value === null ? "null" : typeof value}`);
  }
}

/**
 * PySpark's `RDD.histogram` logic (pyspark/rdd.py), split into the driver part (choosing
 * and checking bucket edges) and the per-record part (which bucket a value falls in).
 *
 * Buckets are [e0, e1), [e1, e2), ..., [e(n-1), en]: open on the right except the last.
 * NaN, non-numbers and values outside [e0, en] are not counted.
 */
import { TsparkError } from "../errors.js";

/**
 * `n` evenly spaced buckets between `min` and `max` (the RDD's), as PySpark computes them:
 * edges `i * inc + min` with `inc = (max - min) / n` (an exact integer step when the range
 * divides evenly), the last edge exactly `max`. When `min == max` or `n == 1`, the single
 * bucket `[min, max]`. An infinite step (an infinite min or max) is an INVALID_ARGUMENT
 * error, as PySpark's "Can not generate buckets with infinite value"; `min > max` (the
 * bounds of no values) is EMPTY_COLLECTION.
 *
 * @example
 * histogramBucketsFromRange(0, 50, 2); // [0, 25, 50]
 * histogramBucketsFromRange(1, 2, 5);  // [1, 1.2, 1.4, 1.6, 1.8, 2]
 * histogramBucketsFromRange(3, 3, 4);  // [3, 3]
 */
export function histogramBucketsFromRange(min: number, max: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new TsparkError("INVALID_ARGUMENT", `number of buckets must be >= 1, got ${count}`);
  if (Number.isNaN(min) || Number.isNaN(max)) throw new TsparkError("INVALID_ARGUMENT", "Can not generate buckets from NaN bounds");
  if (min > max) throw new TsparkError("EMPTY_COLLECTION", "can not generate buckets from an empty RDD");
  if (min === max || count === 1) return [min, max];
  let inc = (max - min) / count;
  if (!Number.isFinite(inc)) throw new TsparkError("INVALID_ARGUMENT", "Can not generate buckets with infinite value");
  // PySpark keeps an integer step when it is exact, so integer data gets integer edges.
  const intInc = Math.trunc(inc);
  if (intInc * count === max - min) inc = intInc;
  const edges = new Array<number>(count + 1);
  for (let i = 0; i < count; i++) edges[i] = i * inc + min;
  edges[count] = max; // not count * inc + min: no accumulated rounding at the top
  return edges;
}

/**
 * Checks explicit bucket edges as PySpark does: an array of at least two numbers, no NaN,
 * sorted ascending, no duplicates. ±Infinity edges are allowed. Throws INVALID_ARGUMENT.
 *
 * @example
 * validateBuckets([0, 5, 25, 50]); // ok
 * validateBuckets([0, 5, 5]);      // throws: duplicated values
 */
export function validateBuckets(buckets: readonly number[]): void {
  if (!Array.isArray(buckets)) throw new TsparkError("INVALID_ARGUMENT", "buckets should be an array of numbers or a number of buckets");
  if (buckets.length < 2) throw new TsparkError("INVALID_ARGUMENT", "buckets should have more than one value");
  for (const b of buckets) {
    if (typeof b !== "number" || Number.isNaN(b)) {
      throw new TsparkError("INVALID_ARGUMENT", `buckets must be numbers and can not contain NaN, got ${String(b)}`);
    }
  }
  // Two passes so the message matches PySpark's order of checks.
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i - 1]! > buckets[i]!) throw new TsparkError("INVALID_ARGUMENT", "buckets should be sorted");
  }
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i - 1]! === buckets[i]!) throw new TsparkError("INVALID_ARGUMENT", "buckets should not contain duplicated values");
  }
}

/**
 * Whether valid edges are evenly spaced (widths equal within a relative 1e-10), enabling
 * the O(1) bucket lookup. PySpark uses an absolute 1e-10; a relative one behaves the same at
 * any scale. Edges with an infinite width are never even.
 *
 * @example
 * isEvenlySpaced([0, 15, 30, 45, 60]); // true
 * isEvenlySpaced([0, 5, 25, 50]);      // false
 */
export function isEvenlySpaced(buckets: readonly number[]): boolean {
  if (buckets.length < 2) return false;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 1; i < buckets.length; i++) {
    const step = buckets[i]! - buckets[i - 1]!;
    if (!Number.isFinite(step)) return false;
    if (step < lo) lo = step;
    if (step > hi) hi = step;
  }
  return hi - lo <= 1e-10 * Math.abs(hi);
}

/**
 * The per-record bucket lookup for valid `buckets` (see {@link validateBuckets}, or edges
 * from {@link histogramBucketsFromRange}): the bucket index of `x`, or -1 when `x` is not
 * counted (NaN, not a number, outside [first, last]). Bigints are converted to numbers.
 * With `evenly`, an O(1) computation from the step, then checked against the edges
 * themselves, so a value on an edge lands where the edges say even when the step's division
 * rounds (PySpark trusts the division); otherwise a binary search. Allocates nothing per call.
 *
 * @example
 * const bucketOf = makeBucketFunction([0, 5, 25, 50], false);
 * bucketOf(5);  // 1
 * bucketOf(50); // 2 (the last bucket is closed)
 * bucketOf(51); // -1
 */
export function makeBucketFunction(buckets: readonly number[], evenly: boolean): (x: number) => number {
  const edges = Float64Array.from(buckets);
  const n = edges.length - 1; // number of buckets
  if (n < 1) throw new TsparkError("INVALID_ARGUMENT", "buckets should have more than one value");
  const min = edges[0]!;
  const max = edges[n]!;
  const inc = (max - min) / n;
  const fast = evenly && inc > 0 && Number.isFinite(inc);

  return (x: number): number => {
    if (typeof x !== "number") {
      if (typeof x !== "bigint") return -1;
      x = Number(x);
    }
    if (!(x >= min && x <= max)) return -1; // NaN fails too
    if (n === 1) return 0;
    let t: number;
    if (fast) {
      t = ((x - min) / inc) | 0; // ≥ 0 here, so truncation is floor (and -0 becomes 0)
      if (t >= n) t = n - 1;
      // Rounding can put an edge value one bucket off: settle it against the edges.
      while (t > 0 && x < edges[t]!) t--;
      while (t < n - 1 && x >= edges[t + 1]!) t++;
      return t;
    }
    // Binary search: the last edge ≤ x (bisect_right - 1), the top edge folded into the last bucket.
    let lo = 0;
    let hi = n; // edges[lo] <= x, and x < edges[hi] or hi == n
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid;
    }
    return lo;
  };
}

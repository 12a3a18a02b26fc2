import test from "node:test";
import assert from "node:assert/strict";
import { histogramBucketsFromRange, isEvenlySpaced, makeBucketFunction, validateBuckets } from "./histogram.js";
import { StatCounter } from "../api/stat-counter.js";
import { Random } from "./random.js";
import { TsparkError } from "../errors.js";

/**
 * `rdd.histogram(buckets)` over a local list, the way the RDD drives these functions: with a
 * count, buckets from the min and max of the non-NaN numbers; else validated edges.
 */
function histogram(values: unknown[], buckets: number | number[]): [number[], number[]] {
  let edges: number[];
  let evenly: boolean;
  if (typeof buckets === "number") {
    if (!Number.isInteger(buckets) || buckets < 1) throw new TsparkError("INVALID_ARGUMENT", "number of buckets must be >= 1");
    const st = new StatCounter(values.filter((x): x is number => typeof x === "number" && !Number.isNaN(x)));
    edges = histogramBucketsFromRange(st.min(), st.max(), buckets);
    evenly = true;
  } else {
    validateBuckets(buckets);
    edges = buckets;
    evenly = isEvenlySpaced(buckets);
  }
  const bucketOf = makeBucketFunction(edges, evenly);
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const x of values) {
    const i = bucketOf(x as number);
    if (i >= 0) counts[i]!++;
  }
  return [edges, counts];
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const isCode = (code: string) => (e: unknown) => e instanceof TsparkError && e.code === code;

test("PySpark doctests", () => {
  const rdd = range(0, 51);
  assert.deepEqual(histogram(rdd, 2), [[0, 25, 50], [25, 26]]);
  assert.deepEqual(histogram(rdd, [0, 5, 25, 50]), [[0, 5, 25, 50], [5, 20, 26]]);
  assert.deepEqual(histogram(rdd, [0, 15, 30, 45, 60]), [[0, 15, 30, 45, 60], [15, 15, 15, 6]]);
  assert.deepEqual(histogram([1, 2, 3, 4, 5], 2), [[1, 3, 5], [2, 3]]);
});

test("PySpark's test_histogram: explicit buckets", () => {
  // empty
  assert.deepEqual(histogram([], [0, 10])[1], [0]);
  assert.deepEqual(histogram([], [0, 4, 10])[1], [0, 0]);
  assert.throws(() => histogram([], 1), isCode("EMPTY_COLLECTION"));
  // out of range
  assert.deepEqual(histogram([10.01, -0.01], [0, 10])[1], [0]);
  assert.deepEqual(histogram([10.01, -0.01], [0, 4, 10])[1], [0, 0]);
  // in range with one bucket
  assert.deepEqual(histogram(range(1, 5), [0, 10])[1], [4]);
  assert.deepEqual(histogram(range(1, 5), [0, 4, 10])[1], [3, 1]);
  // in range with one bucket exact match
  assert.deepEqual(histogram(range(1, 5), [1, 4])[1], [4]);
  // out of range with two buckets, even and uneven
  assert.deepEqual(histogram([10.01, -0.01], [0, 5, 10])[1], [0, 0]);
  assert.deepEqual(histogram([10.01, -0.01], [0, 4, 10])[1], [0, 0]);
  // in range with two buckets
  assert.deepEqual(histogram([1, 2, 3, 5, 6], [0, 5, 10])[1], [3, 2]);
  // in range with two buckets and None / NaN
  assert.deepEqual(histogram([1, 2, 3, 5, 6, null, NaN], [0, 5, 10])[1], [3, 2]);
  // in range with two uneven buckets
  assert.deepEqual(histogram([1, 2, 3, 5, 6], [0, 5, 11])[1], [3, 2]);
  // mixed range with two uneven buckets
  assert.deepEqual(histogram([-0.01, 0.0, 1, 2, 3, 5, 6, 11.0, 11.01], [0, 5, 11])[1], [4, 3]);
  // mixed range with four uneven buckets
  const mixed = [-0.01, 0.0, 1, 2, 3, 5, 6, 11.01, 12.0, 199.0, 200.0, 200.1];
  assert.deepEqual(histogram(mixed, [0.0, 5.0, 11.0, 12.0, 200.0])[1], [4, 2, 1, 3]);
  // mixed range with uneven buckets and NaN
  assert.deepEqual(histogram([...mixed, null, NaN], [0.0, 5.0, 11.0, 12.0, 200.0])[1], [4, 2, 1, 3]);
  // out of range with infinite buckets
  assert.deepEqual(histogram([10.01, -0.01, NaN, Infinity], [-Infinity, 0, Infinity])[1], [1, 2]);
});

test("PySpark's test_histogram: invalid buckets", () => {
  assert.throws(() => histogram([1], []), isCode("INVALID_ARGUMENT"));
  assert.throws(() => histogram([1], [1]), isCode("INVALID_ARGUMENT"));
  assert.throws(() => histogram([1], 0), isCode("INVALID_ARGUMENT"));
  assert.throws(() => validateBuckets({} as number[]), isCode("INVALID_ARGUMENT"));
  assert.throws(() => validateBuckets([0, NaN, 2]), /NaN/);
  assert.throws(() => validateBuckets([0, null as unknown as number]), isCode("INVALID_ARGUMENT"));
  assert.throws(() => validateBuckets([0, 2, 1]), /sorted/);
  assert.throws(() => validateBuckets([1, 1, 0]), /sorted/); // PySpark checks order before duplicates
  assert.throws(() => validateBuckets([0, 1, 1]), /duplicated/);
  validateBuckets([-Infinity, 0, Infinity]);
});

test("PySpark's test_histogram: buckets from a count", () => {
  // without buckets
  assert.deepEqual(histogram(range(1, 5), 1), [[1, 4], [4]]);
  // single element
  assert.deepEqual(histogram([1], 1), [[1, 1], [1]]);
  // no range
  assert.deepEqual(histogram([1, 1, 1, 1], 1), [[1, 1], [4]]);
  assert.deepEqual(histogram([1, 1, 1, 1], 3), [[1, 1], [4]]);
  // basic two
  assert.deepEqual(histogram(range(1, 5), 2), [[1, 2.5, 4], [2, 2]]);
  // more requested than elements
  const buckets = range(0, 6).map((i) => 1 + 0.2 * i);
  assert.deepEqual(histogram([1, 2], 5), [buckets, [1, 0, 0, 0, 1]]);
  // invalid data: an infinite value, only NaN
  assert.throws(() => histogram([1, Infinity], 2), /infinite/);
  assert.throws(() => histogram([NaN], 2), isCode("EMPTY_COLLECTION"));
});

test("histogramBucketsFromRange: integer steps when exact, exact top edge, validation", () => {
  assert.deepEqual(histogramBucketsFromRange(0, 100, 4), [0, 25, 50, 75, 100]);
  assert.deepEqual(histogramBucketsFromRange(0, 10, 3), [0, 10 / 3, (10 / 3) * 2, 10]);
  assert.deepEqual(histogramBucketsFromRange(-5, 5, 2), [-5, 0, 5]);
  assert.deepEqual(histogramBucketsFromRange(0.1, 0.7, 3), [0.1, 0.1 + 0.19999999999999998, 0.1 + 2 * 0.19999999999999998, 0.7]);
  assert.deepEqual(histogramBucketsFromRange(Infinity, Infinity, 3), [Infinity, Infinity]);
  assert.throws(() => histogramBucketsFromRange(0, Infinity, 2), /infinite/);
  assert.throws(() => histogramBucketsFromRange(-Infinity, 0, 2), /infinite/);
  assert.throws(() => histogramBucketsFromRange(0, 1, 0), isCode("INVALID_ARGUMENT"));
  assert.throws(() => histogramBucketsFromRange(0, 1, 1.5), isCode("INVALID_ARGUMENT"));
  assert.throws(() => histogramBucketsFromRange(NaN, 1, 2), isCode("INVALID_ARGUMENT"));
  assert.throws(() => histogramBucketsFromRange(Infinity, -Infinity, 2), isCode("EMPTY_COLLECTION"));
  // Huge ranges that overflow the width are refused rather than producing Infinity edges.
  assert.throws(() => histogramBucketsFromRange(-Number.MAX_VALUE, Number.MAX_VALUE, 2), /infinite/);
});

test("isEvenlySpaced", () => {
  assert.equal(isEvenlySpaced([0, 15, 30, 45, 60]), true);
  assert.equal(isEvenlySpaced([0, 5, 25, 50]), false);
  assert.equal(isEvenlySpaced([0, 0.1, 0.2, 0.3]), true); // widths differ by rounding only
  assert.equal(isEvenlySpaced([1e12, 2e12, 3e12]), true);
  assert.equal(isEvenlySpaced([0, 1e-11, 5e-11]), false); // PySpark's absolute 1e-10 says even
  assert.equal(isEvenlySpaced([-Infinity, 0, Infinity]), false);
  assert.equal(isEvenlySpaced([0, 1]), true);
  assert.equal(isEvenlySpaced([1]), false);
});

test("makeBucketFunction: edges, closed last bucket, outside values, NaN and non-numbers", () => {
  for (const evenly of [true, false]) {
    const f = makeBucketFunction([0, 10, 20, 30], evenly);
    assert.equal(f(0), 0);
    assert.equal(f(9.999), 0);
    assert.equal(f(10), 1);
    assert.equal(f(29.9), 2);
    assert.equal(f(30), 2);
    assert.equal(f(30.0001), -1);
    assert.equal(f(-0.0001), -1);
    assert.equal(f(NaN), -1);
    assert.equal(f(-0), 0);
    assert.equal(f(null as unknown as number), -1);
    assert.equal(f(undefined as unknown as number), -1);
    assert.equal(f("5" as unknown as number), -1);
    assert.equal(f(15n as unknown as number), 1);
  }
  const single = makeBucketFunction([3, 3], true);
  assert.equal(single(3), 0);
  assert.equal(single(3.1), -1);
  assert.throws(() => makeBucketFunction([1], false), TsparkError);
});

test("evenly spaced lookup agrees with binary search, edge values included", () => {
  const rng = new Random(31);
  const cases: number[][] = [
    Array.from({ length: 11 }, (_, i) => i / 10), // 0, 0.1, ..., 1 as decimals: the divisions round
    Array.from({ length: 8 }, (_, i) => 0.1 * i),
    histogramBucketsFromRange(0.1, 0.7, 3),
    histogramBucketsFromRange(-3.3, 17.9, 7),
    histogramBucketsFromRange(1, 2, 5),
    [0, 0.1, 0.2, 0.3],
  ];
  for (const edges of cases) {
    assert.ok(isEvenlySpaced(edges), `${edges}`);
    const fast = makeBucketFunction(edges, true);
    const slow = makeBucketFunction(edges, false);
    const probes = [...edges, ...edges.map((e) => e + 1e-12), ...edges.map((e) => e - 1e-12)];
    for (let i = 0; i < 2000; i++) probes.push(edges[0]! + rng.nextFloat() * (edges.at(-1)! - edges[0]!));
    for (const x of probes) assert.equal(fast(x), slow(x), `x=${x} in ${edges}`);
    // An edge value opens its own bucket (except the last edge, which closes the last bucket).
    edges.forEach((e, i) => assert.equal(slow(e), Math.min(i, edges.length - 2)));
  }
});

test("counts match a direct count on random data", () => {
  const rng = new Random(5);
  const xs = Array.from({ length: 5000 }, () => rng.nextGaussian() * 10);
  const [edges, counts] = histogram(xs, 17);
  assert.equal(counts.reduce((a, b) => a + b, 0), xs.length);
  for (let i = 0; i < counts.length; i++) {
    const lo = edges[i]!;
    const hi = edges[i + 1]!;
    const direct = xs.filter((x) => x >= lo && (i === counts.length - 1 ? x <= hi : x < hi)).length;
    assert.equal(counts[i], direct, `bucket ${i}`);
  }
});

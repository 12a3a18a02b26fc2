/**
 * Partitioners decide which reduce partition a key belongs to. Two RDDs with equal
 * partitioners are co-partitioned, so operations between them skip a shuffle.
 */
import { portableHash } from "../shuffle/portable-hash.js";
import { compareValues } from "../util/ordering.js";
import { TsparkError } from "../errors.js";

/**
 * `new Partitioner(4)` hashes keys with portableHash; `new Partitioner(4, (k) => k.length)`
 * uses your function (its result modulo numPartitions, as PySpark's partitionBy).
 */
export class Partitioner {
  /**
   * A partitioner of `numPartitions` partitions; keys go to `partitionFunc(key)` modulo numPartitions (default: portableHash).
   *
   * @param numPartitions How many partitions keys are spread over.
   * @param partitionFunc Maps a key to a number; its value modulo numPartitions is the key's partition.
   *
   * @example
   * ```ts
   * const byLength = new Partitioner(3, (k: string) => k.length);
   * byLength.partition("abcd"); // → 1
   * new Partitioner(4).partition("a") === portableHash("a") % 4; // → true
   * ```
   */
  constructor(readonly numPartitions: number, readonly partitionFunc: (key: never) => number = portableHash) {
    if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new TsparkError("INVALID_ARGUMENT", `numPartitions must be a positive integer, got ${numPartitions}`);
  }

  /**
   * The partition of `key`.
   *
   * @example
   * ```ts
   * const p = new Partitioner(2, (k: number) => k);
   * [p.partition(0), p.partition(1), p.partition(2), p.partition(-1)]; // → [0, 1, 0, 1]
   * ```
   */
  partition(key: unknown): number {
    const h = (this.partitionFunc as (k: unknown) => number)(key);
    const p = Number(h) % this.numPartitions;
    return p < 0 ? p + this.numPartitions : p;
  }

  /**
   * Same number of partitions and the same function: data partitioned by one is partitioned by the other.
   *
   * @example
   * ```ts
   * const hash = new Partitioner(4);
   * hash.equals(new Partitioner(4)); // → true
   * hash.equals(new Partitioner(8)); // → false
   * // Co-partitioned RDDs join without a shuffle:
   * const a = sc.parallelize<[string, number]>([["x", 1]]).partitionBy(4);
   * const b = sc.parallelize<[string, number]>([["x", 2]]).partitionBy(4);
   * a.partitioner!.equals(b.partitioner); // → true
   * await a.join(b).collect(); // → [["x", [1, 2]]]
   * ```
   */
  equals(other: unknown): boolean {
    return other instanceof Partitioner && other.constructor === this.constructor && other.numPartitions === this.numPartitions && other.partitionFunc === this.partitionFunc;
  }
}

/** A partition function for keys that already are partition numbers (repartition's round robin). */
export function directPartition(key: number): number {
  return key;
}

/**
 * Range partitioning for sorts: partition i holds keys between bounds[i-1] and bounds[i]
 * (by compareValues of keyfunc(key)), reversed when descending.
 */
export class RangePartitioner extends Partitioner {
  /**
   * Partitions by key ranges: keys up to `bounds[0]` go to partition 0, and so on (reversed when not `ascending`); `keyfunc` maps keys first.
   *
   * @param bounds The upper bounds of the partitions but the last, in order.
   * @param ascending Whether partition 0 holds the smallest keys.
   * @param keyfunc Maps a key before comparing it with the bounds.
   *
   * @example
   * ```ts
   * const ranges = new RangePartitioner(["g", "p"], true);
   * ranges.numPartitions; // → 3
   * [ranges.partition("apple"), ranges.partition("kiwi"), ranges.partition("zebra")]; // → [0, 1, 2]
   * ```
   */
  constructor(readonly bounds: unknown[], readonly ascending: boolean, readonly keyfunc?: (key: never) => unknown) {
    super(bounds.length + 1, (key: never) => rangePartitionOf(bounds, ascending, keyfunc as ((k: unknown) => unknown) | undefined, key));
  }

  /**
   * Same bounds, direction and keyfunc.
   *
   * @example
   * ```ts
   * new RangePartitioner([10, 20], true).equals(new RangePartitioner([10, 20], true)); // → true
   * new RangePartitioner([10, 20], true).equals(new RangePartitioner([10, 20], false)); // → false
   * ```
   */
  override equals(other: unknown): boolean {
    return other instanceof RangePartitioner && other.ascending === this.ascending && other.keyfunc === this.keyfunc &&
      other.bounds.length === this.bounds.length && other.bounds.every((b, i) => compareValues(b, this.bounds[i]) === 0);
  }
}

/** Binary search of a key among range bounds (shared by the driver's partitioner and the workers). */
export function rangePartitionOf(bounds: unknown[], ascending: boolean, keyfunc: ((k: unknown) => unknown) | undefined, key: unknown): number {
  const k = keyfunc ? keyfunc(key) : key;
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareValues(bounds[mid], k) < 0) lo = mid + 1;
    else hi = mid;
  }
  return ascending ? lo : bounds.length - lo;
}

/**
 * A join's key filter (a runtime filter, as Spark SQL's runtime Bloom filter): the map tasks
 * of a join's `other` side report the portableHash of every key they wrote, and the driver
 * folds them into a Bloom filter that the other side's map tasks test each record's key
 * against before writing it. An inner (or right outer) join drops a record whose key the
 * other side lacks, so such records need not cross the shuffle; a false positive only
 * passes a record the reduce side drops anyway.
 */
import { homeSlot } from "./combiner-map.js";

/** Distinct key hashes over all of a build side's map tasks past which no filter is made (its bits would mostly be set). */
export const MAX_FILTER_KEYS = 1 << 18;
/**
 * The filter's size: 16 bits a key (about 1.4% false positives with two probes, up to
 * 131,072 keys; past that the size is capped, down to 8 bits a key and about 5% at
 * MAX_FILTER_KEYS)...
 */
const BITS_PER_KEY = 16;
/** ...within these bounds (2^21 bits = 256 KiB, sent with each map task's plan). */
const MIN_BITS_LOG2 = 12;
const MAX_BITS_LOG2 = 21;

/** What a shuffle's map side does as a side of a join with a key filter (a shuffle write step's arguments). */
export interface JoinSide {
  /** The build side: report the hashes of the keys written, up to this many distinct ones a task. */
  collectKeyHashes?: number | undefined;
  /** The probe side: write only records whose key may be on the build side. */
  keyFilter?: KeyFilterSpec | undefined;
}

/** The filter as a map task's step receives it (structured-clonable). */
export interface KeyFilterSpec {
  /** The bit array, 32 bits a word; its length in bits is 2^(32 - shift). */
  words: Int32Array;
  shift: number;
  /** The build side's distinct key hashes (for the driver's log and the UI). */
  keys: number;
}

/** The two bit positions of hash h: the high bits of h times two odd constants (multiplicative hashing; the first is a combine table's home slot). */
const firstBit = homeSlot;

function secondBit(h: number, shift: number): number {
  return Math.imul(h, 0x85ebca77) >>> shift;
}

/**
 * How many distinct key hashes each of a build side's `tasks` map tasks may report: their
 * lists wait in the driver's memory until the stage ends, so together they stay within a few
 * times MAX_FILTER_KEYS (a few MB) however many tasks there are. A task over its share gives
 * up, and the join is not filtered.
 */
export function keyHashesPerTask(tasks: number): number {
  return Math.min(MAX_FILTER_KEYS, Math.max(1024, Math.floor((4 * MAX_FILTER_KEYS) / Math.max(1, tasks))));
}

/** The distinct key hashes a build-side map task saw, or `null` once there were more than `limit`. */
export class KeyHashCollector {
  private hashes: Set<number> | null = new Set();

  constructor(private readonly limit: number = MAX_FILTER_KEYS) {}

  /** Adds a hash; false once there are too many (later ones need not be given). */
  add(h: number): boolean {
    const set = this.hashes;
    if (set === null) return false;
    set.add(h);
    if (set.size <= this.limit) return true;
    this.hashes = null;
    return false;
  }

  /** The hashes for the map status: `null` when there were too many to filter by. */
  result(): Int32Array | null {
    return this.hashes === null ? null : Int32Array.from(this.hashes);
  }
}

/**
 * The filter of a build side's map outputs' key hashes; undefined when a map task gave up
 * (`null`) or there are too many keys for a filter to pay.
 */
export function keyFilterOf(taskHashes: ReadonlyArray<Int32Array | null | undefined>): KeyFilterSpec | undefined {
  const distinct = new Set<number>();
  for (const hs of taskHashes) {
    if (hs == null) return undefined;
    for (const h of hs) distinct.add(h);
    if (distinct.size > MAX_FILTER_KEYS) return undefined;
  }
  const log2 = Math.min(MAX_BITS_LOG2, Math.max(MIN_BITS_LOG2, Math.ceil(Math.log2(Math.max(1, distinct.size) * BITS_PER_KEY))));
  const shift = 32 - log2;
  const words = new Int32Array(2 ** (log2 - 5));
  for (const h of distinct) {
    const a = firstBit(h, shift);
    const b = secondBit(h, shift);
    words[a >>> 5]! |= 1 << (a & 31);
    words[b >>> 5]! |= 1 << (b & 31);
  }
  return { words, shift, keys: distinct.size };
}

/** Whether a key of hash h may be on the build side (false: certainly not). */
export function mayContain(filter: KeyFilterSpec, h: number): boolean {
  const { words, shift } = filter;
  const a = firstBit(h, shift);
  if ((words[a >>> 5]! & (1 << (a & 31))) === 0) return false;
  const b = secondBit(h, shift);
  return (words[b >>> 5]! & (1 << (b & 31))) !== 0;
}

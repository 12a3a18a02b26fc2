/**
 * The key → combiner table of a combine by key (map side and reduce side).
 *
 * Keys that a native Map compares by value (strings, numbers, booleans...) live in an
 * open-addressing table indexed by portableHash, which the map side computes anyway to pick
 * the reduce partition: a known key costs one probe and one `===`, and the combiner is
 * updated in place. Measured on 3.3M Zipf words (100k distinct) in one process: a Map with
 * get + set took 1.3-2.1 s, this table 1.0 s including the hash (a native Map hashes again
 * and its string lookups are slow at this size). Other keys (tuples, objects, bigints) are
 * indexed by their canonical encoding in a Map (tspark's key equality, util/value-map.ts).
 */
import { canonicalKey, isNativeKey } from "../util/value-map.js";
import { portableHash } from "./portable-hash.js";
import type { Aggregator } from "./aggregator.js";

export type CombinerEntry = [unknown, unknown];

const EMPTY = -1;
/** Slots of a new table (2^INITIAL_BITS): small, as a map task of many reduce partitions makes a table for each. */
const INITIAL_BITS = 4;
const INITIAL_CAPACITY = 2 ** INITIAL_BITS;

/**
 * Where a key of hash `h` starts probing, in a table of 2^(32 - shift) slots: the high bits
 * of h times 2^32/phi (Fibonacci hashing). Not h's low bits: one reduce partition's keys all
 * have h % numPartitions equal, so with 4 partitions they would start at one slot in four.
 */
export function homeSlot(h: number, shift: number): number {
  return Math.imul(h, 0x9e3779b1) >>> shift;
}

/**
 * The order in which a table gives its entries: blocks of BLOCK_SLOTS slots, each read in
 * order, the blocks in strides of about blocks/phi (odd, so every block once). Entries given
 * in slot order go into another table in the order of their home slots, which fills that
 * table's first slots in long runs while it is smaller, and each insert probes along the
 * run: quadratic time (a reduce side merging a map side's combined output). Strided, they are
 * spread evenly whatever the size of the table they go into; a block's few entries make a
 * run of a few slots at most. Strided slot by slot, each slot read was a cache miss (a
 * table of a million slots took longer to read than to fill); a block is a cache line of
 * hashes.
 */
const BLOCK_SLOTS = 16;

function strideOf(blocks: number): number {
  return Math.floor(blocks / 1.618033988749895) | 1;
}

/** 2^21: positions packed below a 31-bit hash stay within float64's 53 exact bits. */
const POSITIONS = 2 ** 21;

export class CombinerMap {
  private capacity = INITIAL_CAPACITY;
  private mask = this.capacity - 1;
  private shift = 32 - INITIAL_BITS;
  private hashes = new Int32Array(this.capacity).fill(EMPTY);
  private keys: unknown[] = new Array(this.capacity);
  private values: unknown[] = new Array(this.capacity);
  private nativeCount = 0;
  private readonly objects = new Map<string, CombinerEntry>();
  /** Probes past a key's home slot, over all adds: a measure of clustering, for tests. */
  probes = 0;

  /**
   * Adds a value (or, with `combiners`, a combiner from a map-side combine) under `key`;
   * returns true when the key is new. `hash`, when given, is `portableHash(key)`.
   */
  add(key: unknown, x: unknown, agg: Aggregator, combiners: boolean, hash?: number): boolean {
    if (!isNativeKey(key)) return this.addObject(key, x, agg, combiners);
    const h = hash ?? portableHash(key);
    const hashes = this.hashes;
    const keys = this.keys;
    let i = homeSlot(h, this.shift);
    for (;;) {
      const s = hashes[i]!;
      if (s === EMPTY) break;
      if (s === h) {
        const k = keys[i];
        // SameValueZero, as a Map: NaN equals NaN.
        if (k === key || (k !== k && key !== key)) {
          this.values[i] = combiners ? agg.mergeCombiners(this.values[i], x) : agg.mergeValue(this.values[i], x);
          return false;
        }
      }
      i = (i + 1) & this.mask;
      this.probes++;
    }
    hashes[i] = h;
    keys[i] = key;
    this.values[i] = combiners ? x : agg.createCombiner(x);
    if (++this.nativeCount * 2 > this.capacity) this.grow();
    return true;
  }

  /** The combiner of `key`, or undefined. */
  find(key: unknown, hash?: number): unknown {
    if (!isNativeKey(key)) return this.objects.get(canonicalKey(key))?.[1];
    const h = hash ?? portableHash(key);
    let i = homeSlot(h, this.shift);
    for (;;) {
      const s = this.hashes[i]!;
      if (s === EMPTY) return undefined;
      if (s === h) {
        const k = this.keys[i];
        if (k === key || (k !== k && key !== key)) return this.values[i];
      }
      i = (i + 1) & this.mask;
    }
  }

  private addObject(key: unknown, x: unknown, agg: Aggregator, combiners: boolean): boolean {
    const ck = canonicalKey(key);
    const e = this.objects.get(ck);
    if (e !== undefined) {
      e[1] = combiners ? agg.mergeCombiners(e[1], x) : agg.mergeValue(e[1], x);
      return false;
    }
    this.objects.set(ck, [key, combiners ? x : agg.createCombiner(x)]);
    return true;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.shift--;
    this.hashes = new Int32Array(this.capacity).fill(EMPTY);
    this.keys = new Array(this.capacity);
    this.values = new Array(this.capacity);
    for (let j = 0; j < oldHashes.length; j++) {
      const h = oldHashes[j]!;
      if (h === EMPTY) continue;
      let i = homeSlot(h, this.shift);
      while (this.hashes[i] !== EMPTY) i = (i + 1) & this.mask;
      this.hashes[i] = h;
      this.keys[i] = oldKeys[j];
      this.values[i] = oldValues[j];
    }
  }

  get size(): number {
    return this.nativeCount + this.objects.size;
  }

  /** The [key, combiner] records. */
  *entries(): IterableIterator<CombinerEntry> {
    yield* this.toArray();
  }

  /**
   * The [portableHash(key), key, combiner] triples in hash order (for spill runs). Hashes
   * come from the table; the sort is a native numeric sort of hash * 2^21 + position, exact
   * in a float64 while there are fewer than 2^21 entries (else a comparator sort). Spilling
   * 300k string keys: 67-121 ms, against 184-339 ms for portableHash again + a comparator sort.
   */
  sortedByHash(): Array<[number, unknown, unknown]> {
    const out: Array<[number, unknown, unknown]> = [];
    const hashes = this.hashes;
    for (let i = 0; i < hashes.length; i++) if (hashes[i] !== EMPTY) out.push([hashes[i]!, this.keys[i], this.values[i]]);
    for (const [k, c] of this.objects.values()) out.push([portableHash(k), k, c]);
    if (out.length >= POSITIONS) return out.sort((a, b) => a[0] - b[0]);
    const packed = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) packed[i] = out[i]![0] * POSITIONS + i;
    packed.sort();
    const sorted = new Array<[number, unknown, unknown]>(out.length);
    for (let i = 0; i < packed.length; i++) sorted[i] = out[packed[i]! % POSITIONS]!;
    return sorted;
  }

  /** The [key, combiner] records as one array; the table is left empty. */
  takeAll(): CombinerEntry[] {
    const out = this.toArray();
    this.capacity = INITIAL_CAPACITY;
    this.mask = this.capacity - 1;
    this.shift = 32 - INITIAL_BITS;
    this.hashes = new Int32Array(this.capacity).fill(EMPTY);
    this.keys = new Array(this.capacity);
    this.values = new Array(this.capacity);
    this.nativeCount = 0;
    this.objects.clear();
    return out;
  }

  /** The [key, combiner] records as one array, in strided slot order (strideOf). */
  toArray(): CombinerEntry[] {
    const out: CombinerEntry[] = [];
    for (const batch of this.batches(Infinity)) for (const e of batch) out.push(e);
    return out;
  }

  /**
   * The [key, combiner] records in batches of `size`, in toArray's order, made as they are
   * taken: a large table's records then die young batch by batch instead of all being live
   * (and copied by the GC) until the last is used. The table must not change meanwhile.
   */
  *batches(size: number): Generator<CombinerEntry[], void, undefined> {
    const { hashes, keys, values, capacity } = this;
    const blocks = capacity / BLOCK_SLOTS;
    const step = strideOf(blocks);
    let out: CombinerEntry[] = [];
    for (let j = 0, b = 0; j < blocks; j++, b = (b + step) & (blocks - 1)) {
      for (let i = b * BLOCK_SLOTS, end = i + BLOCK_SLOTS; i < end; i++) {
        if (hashes[i] === EMPTY) continue;
        out.push([keys[i], values[i]]);
        if (out.length >= size) {
          yield out;
          out = [];
        }
      }
    }
    for (const e of this.objects.values()) {
      out.push(e);
      if (out.length >= size) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }
}

/**
 * portableHash: the hash that decides which reduce partition a key goes to. It must give
 * the same number for equal keys in every process, every run and every machine (no seed:
 * PySpark's PYTHONHASHSEED trap), and equal keys — by tspark's key equality, see
 * util/value-map.ts — must hash alike: 1 and 1n and 1.0, 0 and -0, equal tuples.
 * Result: a non-negative 31-bit integer.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** MurmurHash3's 32-bit finalizer: spreads bits so `hash % n` is balanced. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixWord(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Murmur3-style hash over a string's UTF-16 code units (no encoding step on the hot path). */
function hashString(s: string): number {
  let h = 0x9747b28c;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixWord(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mixWord(h, s.charCodeAt(i));
  return fmix(h ^ n);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashNumber(x: number): number {
  if (x === 0) return 0; // 0 and -0 are equal keys
  if (Number.isNaN(x)) return 0x7ff80000;
  if (Number.isSafeInteger(x)) {
    // Integers hash by value, split into two 32-bit words, so 1, 1.0 and 1n agree.
    const lo = x % 0x100000000;
    const hi = (x - lo) / 0x100000000;
    return fmix(mixWord(mixWord(0, lo | 0), hi | 0));
  }
  f64[0] = x;
  return fmix(mixWord(mixWord(1, u32[0]!), u32[1]!));
}

function hashAny(v: unknown): number {
  switch (typeof v) {
    case "string":
      return hashString(v);
    case "number":
      return hashNumber(v);
    case "bigint":
      return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? hashNumber(Number(v)) : hashString(v.toString()) ^ 0x5bd1e995;
    case "boolean":
      return v ? 1231 : 1237;
    case "undefined":
      return 0;
    case "symbol":
      return hashString(Symbol.keyFor(v) ?? v.description ?? "");
    case "function":
      return hashString(v.name);
  }
  if (v === null) return 0;
  if (Array.isArray(v)) {
    // Tuples combine their elements' hashes in order (as PySpark's portable_hash does).
    let h = 0x345678;
    for (const x of v) h = mixWord(h, hashAny(x));
    return fmix(h ^ v.length);
  }
  if (v instanceof Date) return hashNumber(v.getTime()) ^ 0x1f;
  if (v instanceof Uint8Array) {
    let h = 0x2545f491;
    for (let i = 0; i < v.length; i++) h = mixWord(h, v[i]!);
    return fmix(h ^ v.length);
  }
  if (v instanceof Map || v instanceof Set) {
    // Order-independent: sum of entry hashes.
    let h = v instanceof Map ? 0x3c6ef372 : 0x27d4eb2d;
    for (const e of v) h = (h + hashAny(e)) | 0;
    return fmix(h ^ v.size);
  }
  const o = v as Record<string, unknown>;
  let h = 0x61c88647;
  for (const k of Object.keys(o).sort()) h = mixWord(mixWord(h, hashString(k)), hashAny(o[k]));
  return fmix(h);
}

/**
 * `portableHash("a") === portableHash("a")` in every process; `portableHash([1, "x"])`
 * hashes the tuple's elements in order.
 *
 * @example
 * ```ts
 * portableHash("a") === portableHash("a"); // → true
 * portableHash([1, "x"]) === portableHash([1, "x"]); // → true
 * // The same in every process and run, so workers agree on where a key goes:
 * const where = await sc.parallelize(["k"], 1).map((k) => portableHash(k)).collect();
 * where[0] === portableHash("k"); // → true
 * ```
 */
export function portableHash(value: unknown): number {
  // Strings first, outside hashAny's switch: hashAny is too large to inline, and a word
  // count hashes one short string per record, where the extra calls cost as much as the hash.
  return (typeof value === "string" ? hashString(value) : hashAny(value)) & 0x7fffffff;
}

/**
 * Sorts a buffer of [key, value] records by string key without a comparator call per
 * comparison: a least-significant-digit radix sort over the keys' first characters (one
 * byte each), then a comparator sort only of the runs whose keys agree on all of those
 * characters. A comparator sort of records chases two pointers per
 * comparison, N log N times, in random order; here each key is read once, into a column of
 * bytes per character position, and the passes run over typed arrays. The runs tied on the
 * prefix (only when some key is longer than it) are sorted with JS's native `<` when all
 * their keys order natively (util/ordering.ts), else with the caller's comparator.
 *
 * The order is exactly the comparator's (compareValues on strings: by code point), and
 * stable (records of equal keys keep their order), because:
 * - a character below 256 is one code unit, and code points below 256 order as their bytes;
 * - a key shorter than the prefix reads as 0 after its end, and 0 is no character here (a
 *   key with U+0000, or a character from 256 up, in its prefix makes the buffer take the
 *   comparator path), so "ab" comes before "ab" + anything;
 * - LSD radix sort is stable, and so is Array.prototype.sort for the runs.
 */

import { hasNativeStringOrder } from "../util/ordering.js";

/** Under this many records the comparator sort is as fast, and allocates nothing. */
const MIN_RECORDS = 1024;
/** Characters sorted by radix at most; longer keys that agree on them are sorted by comparator. */
const MAX_PREFIX = 12;

/**
 * `records` ([string, unknown] pairs) sorted by key, ascending or descending, as a new array;
 * undefined when a key is not a string or its prefix has a character this sort does not
 * take (the caller then sorts with `compare`). `compare` orders records exactly (the
 * caller's comparator, descending included): it sorts runs of keys equal on the prefix.
 */
export function sortByStringKey<T>(records: readonly T[], descending: boolean, compare: (a: T, b: T) => number): T[] | undefined {
  const n = records.length;
  if (n < MIN_RECORDS) return undefined;
  let maxLength = 0;
  for (let i = 0; i < n; i++) {
    const k = (records[i] as unknown as [unknown])[0];
    if (typeof k !== "string") return undefined;
    if (k.length > maxLength) maxLength = k.length;
  }
  const width = Math.min(maxLength, MAX_PREFIX);
  // Column-major: a pass reads one character position of every key, a contiguous column.
  const columns = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) {
    const k = (records[i] as unknown as [string])[0];
    const m = k.length < width ? k.length : width;
    for (let d = 0; d < m; d++) {
      const c = k.charCodeAt(d);
      if (c === 0 || c > 255) return undefined;
      columns[d * n + i] = c;
    }
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const starts = new Uint32Array(256);
  for (let d = width - 1; d >= 0; d--) {
    const base = d * n;
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[columns[base + i]!]!++;
    if (starts[columns[base]!] === n) continue; // one character everywhere: nothing moves
    let at = 0;
    for (let j = 0; j < 256; j++) {
      const b = descending ? 255 - j : j;
      const count = starts[b]!;
      starts[b] = at;
      at += count;
    }
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      next[starts[columns[base + r]!]!++] = r;
    }
    [order, next] = [next, order];
  }
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = records[order[i]!]!;
  if (maxLength > width) sortTiedRuns(out, order, columns, n, width, tiedComparators(descending, compare));
  return out;
}

/**
 * A buffer of [key, value] records sorted by key the fastest exact way there is: by radix
 * (sortByStringKey), else with JS's `<` when every key is a string it orders exactly (it is
 * sorted in place then), else undefined: the caller sorts with its comparator.
 */
export function fastSortByKey<T>(records: T[], descending: boolean, compare: (a: T, b: T) => number): T[] | undefined {
  return sortByStringKey(records, descending, compare) ?? (allNative(records) ? records.sort(descending ? nativeDescending : nativeAscending) : undefined);
}

const keyOf = (r: unknown): unknown => (r as [unknown])[0];
/** Records by string key with JS's `<` (UTF-16 order: exact for keys hasNativeStringOrder accepts). */
const nativeAscending = (a: unknown, b: unknown): number => {
  const x = keyOf(a) as string;
  const y = keyOf(b) as string;
  return x < y ? -1 : x > y ? 1 : 0;
};
const nativeDescending = (a: unknown, b: unknown): number => nativeAscending(b, a);

/** Whether every record's key is a string that JS's `<` orders as compareValues does. */
function allNative(records: readonly unknown[]): boolean {
  return records.every((r) => {
    const k = keyOf(r);
    return typeof k === "string" && hasNativeStringOrder(k);
  });
}

/** For a run: native `<` when all its keys order natively, else the exact comparator. */
function tiedComparators<T>(descending: boolean, compare: (a: T, b: T) => number): (run: T[]) => (a: T, b: T) => number {
  const native = descending ? nativeDescending : nativeAscending;
  return (run) => (allNative(run) ? native : compare);
}

/** Sorts each run of `out` whose keys agree on all `width` prefix characters, by the comparator `comparatorFor` gives for it. */
function sortTiedRuns<T>(out: T[], order: Uint32Array, columns: Uint8Array, n: number, width: number, comparatorFor: (run: T[]) => (a: T, b: T) => number): void {
  const samePrefix = (a: number, b: number): boolean => {
    for (let d = 0; d < width; d++) if (columns[d * n + a] !== columns[d * n + b]) return false;
    return true;
  };
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && samePrefix(order[start]!, order[i]!)) continue;
    if (i - start > 1) {
      const run = out.slice(start, i);
      run.sort(comparatorFor(run));
      for (let j = 0; j < run.length; j++) out[start + j] = run[j]!;
    }
    start = i;
  }
}

/**
 * A total order over record keys, for sortByKey/sortBy, takeOrdered/top, min/max and range
 * partitioning. Within a type it follows Python's comparisons; across types (where Python
 * raises TypeError) it ranks by type, so any two keys compare and every worker sorts alike.
 *
 * Type rank, lowest first:
 *   0 undefined · 1 null · 2 boolean · 3 number and bigint · 4 string · 5 Date ·
 *   6 bytes (Uint8Array, Buffer, Uint8ClampedArray, ArrayBuffer) · 7 array (tuples) ·
 *   8 other typed arrays · 9 Map · 10 Set · 11 other objects · 12 symbol · 13 function
 *
 * Within a type:
 * - number/bigint: numerically and exactly (1 == 1n, 2^53 + 1n > 2^53); -0 == 0; NaN is
 *   equal to NaN and greater than every other number, +Infinity included (Spark SQL's rule;
 *   Python leaves NaN unordered, which makes sorts inconsistent).
 * - boolean: false < true. Booleans do not compare equal to 0/1 as in Python: they have
 *   their own rank, so distinct keys never tie.
 * - string: by Unicode code point, as Python (JS's `<` compares UTF-16 code units, which
 *   puts U+10000.. before U+E000..U+FFFF). A lone surrogate sorts as if it began a
 *   supplementary character (Python would place it at its own code point, U+D800..U+DFFF).
 * - Date: by time; invalid dates (NaN time) after valid ones, equal to each other.
 * - bytes: unsigned bytewise, a proper prefix first (as Python's bytes).
 * - array/typed array: element by element with compareValues, a proper prefix first.
 * - Map: entries sorted by key, then compared as [key, value] lists; Set: elements sorted,
 *   then compared as lists; other objects: own enumerable string keys sorted, then compared
 *   as [key, value] lists (as their content, the way tspark's ValueMap keys them).
 * - symbol: by description; function: by name (for determinism only).
 * Note: Array.prototype.sort moves `undefined` elements to the end without calling the
 * comparator; compareValues ranks undefined first only where it is actually asked (keys).
 *
 * compareValues(a, b) === 0 exactly when ValueMap treats a and b as the same key, except
 * that other typed arrays and objects with the same indexed content differ by rank here.
 */

const RANK_UNDEFINED = 0;
const RANK_NULL = 1;
const RANK_BOOLEAN = 2;
const RANK_NUMBER = 3;
const RANK_STRING = 4;
const RANK_DATE = 5;
const RANK_BYTES = 6;
const RANK_ARRAY = 7;
const RANK_TYPED_ARRAY = 8;
const RANK_MAP = 9;
const RANK_SET = 10;
const RANK_OBJECT = 11;
const RANK_SYMBOL = 12;
const RANK_FUNCTION = 13;

/**
 * The type rank compareValues orders mixed types by (see the module comment).
 *
 * @example
 * typeRank(null) < typeRank(0) && typeRank(0) < typeRank("a"); // true
 */
export function typeRank(v: unknown): number {
  switch (typeof v) {
    case "undefined":
      return RANK_UNDEFINED;
    case "boolean":
      return RANK_BOOLEAN;
    case "number":
    case "bigint":
      return RANK_NUMBER;
    case "string":
      return RANK_STRING;
    case "symbol":
      return RANK_SYMBOL;
    case "function":
      return RANK_FUNCTION;
  }
  if (v === null) return RANK_NULL;
  if (Array.isArray(v)) return RANK_ARRAY;
  if (v instanceof Date) return RANK_DATE;
  if (v instanceof Uint8Array || v instanceof Uint8ClampedArray || v instanceof ArrayBuffer) return RANK_BYTES;
  if (ArrayBuffer.isView(v)) return RANK_TYPED_ARRAY;
  if (v instanceof Map) return RANK_MAP;
  if (v instanceof Set) return RANK_SET;
  return RANK_OBJECT;
}

/** Numbers and bigints, exactly; NaN last and equal to itself. */
function compareNumeric(a: number | bigint, b: number | bigint): number {
  // Relational operators between number and bigint compare the exact mathematical values.
  if (a < b) return -1;
  if (a > b) return 1;
  if (a == b) return 0; // loose: 1 == 1n
  // Only NaN is left unordered.
  const aNaN = typeof a === "number" && Number.isNaN(a);
  const bNaN = typeof b === "number" && Number.isNaN(b);
  return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
}

const HIGH_UNITS = /[\ud800-\uffff]/;

/**
 * True when JS's native string comparison (`<`, UTF-16 code units) orders `s` against any
 * other such string exactly as compareStrings does: the two orders differ only where both
 * strings have a unit from U+D800 up at their first difference.
 */
export function hasNativeStringOrder(s: string): boolean {
  return !HIGH_UNITS.test(s);
}

/**
 * Compares two strings by Unicode code point, as Python does.
 *
 * @example
 * compareStrings("\uFFFF", "\u{10000}"); // -1 (JS's `<` says the opposite)
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Code-unit order agrees with code-point order except that surrogates (which encode
    // U+10000 and above) sort below U+E000..U+FFFF: move surrogates above that range.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function asBytes(v: Uint8Array | Uint8ClampedArray | ArrayBuffer): Uint8Array {
  return v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

interface IndexedList {
  readonly length: number;
  readonly [i: number]: unknown;
}

function compareLists(a: IndexedList, b: IndexedList): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

const byKey = (x: [unknown, unknown], y: [unknown, unknown]): number => compareValues(x[0], y[0]) || compareValues(x[1], y[1]);

/** Entries as a flat [k0, v0, k1, v1, ...] list, sorted by key (then value). */
function sortedEntries(entries: Iterable<[unknown, unknown]>): unknown[] {
  const sorted = [...entries].sort(byKey);
  const flat: unknown[] = [];
  for (const [k, v] of sorted) flat.push(k, v);
  return flat;
}

function objectEntries(o: object): unknown[] {
  const rec = o as Record<string, unknown>;
  const keys = Object.keys(rec).sort(compareStrings);
  const flat: unknown[] = [];
  for (const k of keys) flat.push(k, rec[k]);
  return flat;
}

function dateTime(d: Date): number {
  return d.getTime();
}

/**
 * A total order on record keys (see the module comment for the rules): negative when
 * `a < b`, positive when `a > b`, 0 when they are the same key. Hot path first: two numbers
 * or two strings compare without further type tests.
 *
 * @example
 * [3, "b", null, 1n, [1, 2], "a", NaN].sort(compareValues);
 * // [null, 1n, 3, NaN, "a", "b", [1, 2]]
 * compareValues([1, "x"], [1, "y"]); // -1
 */
export function compareValues(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === "number" && tb === "number") {
    if ((a as number) < (b as number)) return -1;
    if ((a as number) > (b as number)) return 1;
    if (a === b) return 0;
    return compareNumeric(a as number, b as number);
  }
  if (ta === "string" && tb === "string") return compareStrings(a as string, b as string);
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a === b) return 0;
  switch (ra) {
    case RANK_UNDEFINED:
    case RANK_NULL:
      return 0;
    case RANK_BOOLEAN:
      return a ? 1 : -1;
    case RANK_NUMBER:
      return compareNumeric(a as number | bigint, b as number | bigint);
    case RANK_DATE:
      return compareNumeric(dateTime(a as Date), dateTime(b as Date));
    case RANK_BYTES:
      return compareBytes(asBytes(a as Uint8Array), asBytes(b as Uint8Array));
    case RANK_ARRAY:
    case RANK_TYPED_ARRAY:
      return compareLists(a as IndexedList, b as IndexedList);
    case RANK_MAP:
      return compareLists(sortedEntries(a as Map<unknown, unknown>), sortedEntries(b as Map<unknown, unknown>));
    case RANK_SET: {
      const xs = [...(a as Set<unknown>)].sort(compareValues);
      const ys = [...(b as Set<unknown>)].sort(compareValues);
      return compareLists(xs, ys);
    }
    case RANK_OBJECT:
      return compareLists(objectEntries(a as object), objectEntries(b as object));
    case RANK_SYMBOL:
      return compareStrings((a as symbol).description ?? "", (b as symbol).description ?? "");
    default:
      return compareStrings((a as { name: string }).name, (b as { name: string }).name);
  }
}

/**
 * A comparator for sorting records by `keyFn(record)` with {@link compareValues},
 * descending when `ascending` is false. Without `keyFn` the records themselves are compared.
 *
 * @example
 * pairs.sort(keyComparator(([k]) => k));            // sortByKey
 * words.sort(keyComparator((w) => w.length, false)); // longest first
 */
export function keyComparator<T>(keyFn?: (x: T) => unknown, ascending = true): (a: T, b: T) => number {
  if (keyFn === undefined) return ascending ? compareValues : (a, b) => compareValues(b, a);
  return ascending ? (a, b) => compareValues(keyFn(a), keyFn(b)) : (a, b) => compareValues(keyFn(b), keyFn(a));
}

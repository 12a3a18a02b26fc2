import test from "node:test";
import assert from "node:assert/strict";
import { compareValues, compareStrings, keyComparator, typeRank, hasNativeStringOrder } from "./ordering.js";
import { canonicalKey } from "./value-map.js";
import { Random } from "./random.js";

const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);
const lt = (a: unknown, b: unknown) => {
  assert.equal(sign(compareValues(a, b)), -1, `${String(a)} < ${String(b)}`);
  assert.equal(sign(compareValues(b, a)), 1, `${String(b)} > ${String(a)}`);
};
const eq = (a: unknown, b: unknown) => {
  assert.equal(compareValues(a, b), 0, `${String(a)} == ${String(b)}`);
  assert.equal(compareValues(b, a), 0);
};

function noop() {}
function zed() {}

/** One representative per type, in rank order. */
const byRank: unknown[] = [
  undefined,
  null,
  false,
  1,
  "a",
  new Date(0),
  new Uint8Array([1]),
  [1],
  new Float64Array([1]),
  new Map([[1, 1]]),
  new Set([1]),
  { a: 1 },
  Symbol("s"),
  noop,
];

test("mixed types order by a fixed type rank, every pair", () => {
  for (let i = 0; i < byRank.length; i++) {
    assert.equal(typeRank(byRank[i]), i);
    for (let j = 0; j < byRank.length; j++) {
      const c = sign(compareValues(byRank[i], byRank[j]));
      assert.equal(c, sign(i - j), `rank ${i} vs rank ${j}`);
    }
  }
  // Extremes of one type stay inside its rank.
  lt(true, -Infinity);
  lt(NaN, "");
  lt("\u{10FFFF}", new Date(-8.64e15));
  lt(new Date(NaN), new Uint8Array([]));
  lt(new Uint8Array([255, 255]), []);
  lt([], new Int32Array([]));
  lt(null, false);
  lt(undefined, null);
  lt(1n, "1");
});

test("numbers: numeric, -0 == 0, NaN equal to itself and above +Infinity", () => {
  lt(-Infinity, -1e308);
  lt(-1, 0);
  lt(0, 5e-324);
  lt(1, 1.5);
  lt(1e308, Infinity);
  lt(Infinity, NaN);
  eq(-0, 0);
  eq(NaN, NaN);
  eq(2.5, 2.5);
  const sorted = [3, NaN, -1, Infinity, 0, -Infinity, NaN, 2].sort(compareValues);
  assert.deepEqual(sorted, [-Infinity, -1, 0, 2, 3, Infinity, NaN, NaN]);
});

test("bigint and number compare exactly", () => {
  eq(1n, 1);
  eq(0n, -0);
  lt(1n, 1.5);
  lt(2n ** 53n, 2n ** 53n + 1n);
  lt(2 ** 53, 2n ** 53n + 1n); // 2^53 + 1 has no double: it must not round down
  lt(-(2n ** 64n), Number.MIN_SAFE_INTEGER);
  lt(10n ** 400n, Infinity);
  lt(-Infinity, -(10n ** 400n));
  lt(10n ** 400n, NaN);
});

test("booleans: false < true, ranked apart from numbers", () => {
  lt(false, true);
  eq(true, true);
  lt(true, 0);
});

test("strings: by code point, as Python", () => {
  lt("", "a");
  lt("a", "b");
  lt("a", "ab");
  lt("B", "a");
  lt("abc", "abd");
  eq("héllo", "héllo");
  // U+FFFF vs U+10000: UTF-16 code units say the opposite.
  lt("\uFFFF", "\u{10000}");
  lt("\uE000", "\u{1F600}");
  assert.ok("\u{1F600}" < "\uE000", "JS's own order differs here");
  lt("\u{1F600}", "\u{1F601}");
  lt("\u{10000}", "\u{10000}a");
  lt("z", "\u{10000}");
  assert.equal(compareStrings("x\u{1F600}", "x\uFFFD"), 1);
  const words = ["b", "\u{1F600}", "a", "\uFFFD", "", "ab", "\u00e9"];
  // Code-point order equals the order of the UTF-32 sequences.
  const byCodePoints = [...words].sort((x, y) => {
    const a = [...x].map((c) => c.codePointAt(0)!);
    const b = [...y].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  });
  assert.deepEqual([...words].sort(compareValues), byCodePoints);
});

test("null and undefined sort first and equal themselves", () => {
  eq(null, null);
  eq(undefined, undefined);
  lt(undefined, null);
  assert.deepEqual([1, null, "a"].sort(compareValues), [null, 1, "a"]);
  // Array.prototype.sort itself moves undefined elements last without asking the comparator.
  assert.deepEqual([1, undefined, null].sort(compareValues), [null, 1, undefined]);
});

test("dates by time, invalid dates last", () => {
  lt(new Date(0), new Date(1));
  eq(new Date(5), new Date(5));
  lt(new Date(8.64e15), new Date(NaN));
  eq(new Date(NaN), new Date("nope"));
});

test("bytes: unsigned, bytewise, prefix first; Buffer and Uint8Array alike", () => {
  lt(new Uint8Array([1, 2]), new Uint8Array([1, 3]));
  lt(new Uint8Array([1]), new Uint8Array([1, 0]));
  lt(new Uint8Array([127]), new Uint8Array([128]));
  lt(new Uint8Array([]), new Uint8Array([0]));
  eq(Buffer.from("abc"), new Uint8Array([97, 98, 99]));
  lt(Buffer.from("ab"), Buffer.from("b"));
  eq(new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]));
  // A view into a larger buffer compares only its own bytes.
  const big = new Uint8Array([9, 1, 2, 9]);
  eq(new Uint8ClampedArray(big.buffer, 1, 2), new Uint8Array([1, 2]));
});

test("arrays and tuples: lexicographic with compareValues, shorter first on a tie", () => {
  lt([1, 2], [1, 3]);
  lt([1], [1, 0]);
  lt([], [undefined]);
  eq([1, "a", [2n]], [1, "a", [2]]);
  lt(["a", 1], ["a", "1"]);
  lt([1, [2, 3]], [1, [2, 3, 0]]);
  lt([2], [10]); // numerically, not as strings
  const pairs: [string, number][] = [["b", 1], ["a", 2], ["a", 1], ["c", 0]];
  assert.deepEqual([...pairs].sort(compareValues), [["a", 1], ["a", 2], ["b", 1], ["c", 0]]);
  lt(new Int32Array([1, 2]), new Int32Array([1, 3]));
  lt(new Float64Array([NaN]), new Float64Array([NaN, 0]));
});

test("maps, sets and objects: by content, independent of insertion order", () => {
  eq(new Map([[1, "a"], [2, "b"]]), new Map([[2, "b"], [1, "a"]]));
  lt(new Map([[1, "a"]]), new Map([[1, "b"]]));
  lt(new Map([[1, "z"]]), new Map([[2, "a"]]));
  eq(new Set([3, 1, 2]), new Set([1, 2, 3]));
  lt(new Set([1, 2]), new Set([1, 3]));
  lt(new Set([1]), new Set([1, 2]));
  eq({ a: 1, b: [2] }, { b: [2], a: 1 });
  lt({ a: 1 }, { a: 2 });
  lt({ a: 5 }, { b: 0 });
  lt({}, { a: 0 });
  class Point {
    constructor(readonly x: number, readonly y: number) {}
  }
  lt(new Point(1, 2), new Point(1, 3));
});

test("symbols and functions order deterministically by description and name", () => {
  lt(Symbol("a"), Symbol("b"));
  eq(Symbol("a"), Symbol("a"));
  lt(noop, zed);
});

test("compareValues == 0 exactly when ValueMap sees the same key", () => {
  const values: unknown[] = [
    undefined, null, false, true, 0, -0, 1, 1n, 1.5, NaN, Infinity, -Infinity, 2n ** 60n, "", "a", "1", "\u{1F600}",
    new Date(0), new Date(1), new Date(NaN), new Uint8Array([1]), Buffer.from([1]), new Uint8Array([]),
    [], [1], [1n], ["1"], [1, 2], [[1]], new Map([[1, 2]]), new Map(), new Set([1]), new Set(), { a: 1 }, { a: 1n }, {},
  ];
  for (const a of values) {
    for (const b of values) {
      const same = canonicalKey(a) === canonicalKey(b);
      assert.equal(compareValues(a, b) === 0, same, `${canonicalKey(a)} vs ${canonicalKey(b)}`);
    }
  }
});

test("a total order: antisymmetric and transitive over random mixed values", () => {
  const rng = new Random(2024);
  const atoms = [() => rng.nextInt(5), () => rng.nextInt(3) - 1 + 0.5, () => BigInt(rng.nextInt(5)), () => "abc".slice(0, rng.nextInt(4)), () => null, () => rng.nextInt(2) === 1, () => NaN, () => undefined];
  const gen = (depth: number): unknown => {
    const pick = rng.nextInt(depth > 0 ? 10 : 8);
    if (pick < 8) return atoms[pick]!();
    if (pick === 8) return Array.from({ length: rng.nextInt(3) }, () => gen(depth - 1));
    return new Uint8Array(Array.from({ length: rng.nextInt(3) }, () => rng.nextInt(3)));
  };
  const xs = Array.from({ length: 60 }, () => gen(2));
  for (const a of xs) {
    assert.equal(compareValues(a, a), 0);
    for (const b of xs) {
      assert.equal(sign(compareValues(a, b)) + sign(compareValues(b, a)), 0, "antisymmetric");
      for (const c of xs) {
        if (compareValues(a, b) <= 0 && compareValues(b, c) <= 0) assert.ok(compareValues(a, c) <= 0, "transitive");
      }
    }
  }
  // Sorting twice from different starting orders gives the same sequence of classes.
  const s1 = [...xs].sort(compareValues);
  const s2 = new Random(1).shuffle([...xs]).sort(compareValues);
  for (let i = 0; i < s1.length; i++) assert.equal(compareValues(s1[i], s2[i]), 0);
});

test("keyComparator: by key, ascending or descending", () => {
  const words = ["ccc", "a", "bb", "dd"];
  assert.deepEqual([...words].sort(keyComparator((w: string) => w.length)), ["a", "bb", "dd", "ccc"]);
  assert.deepEqual([...words].sort(keyComparator((w: string) => w.length, false)), ["ccc", "bb", "dd", "a"]);
  assert.deepEqual([3, 1, 2].sort(keyComparator<number>()), [1, 2, 3]);
  assert.deepEqual([3, 1, 2].sort(keyComparator<number>(undefined, false)), [3, 2, 1]);
  const pairs: [string, number][] = [["b", 1], ["a", 2]];
  assert.deepEqual([...pairs].sort(keyComparator(([k]: [string, number]) => k)), [["a", 2], ["b", 1]]);
});

test("hasNativeStringOrder: native < agrees with compareStrings for such strings", () => {
  const plain = ["", "a", "ab", "b", "é", "\u00ff", "\ud7ff", "z\u0100"];
  assert.ok(plain.every(hasNativeStringOrder));
  for (const a of plain) for (const b of plain) assert.equal(Math.sign(compareStrings(a, b)), a < b ? -1 : a > b ? 1 : 0);
  assert.ok(!hasNativeStringOrder("x\ud83d\ude00") && !hasNativeStringOrder("\uffff"));
  // Where it says no, native order may be wrong: U+1F600 is above U+FFFF, though its first unit is below.
  assert.ok("\ud83d\ude00" < "\uffff" && compareStrings("\ud83d\ude00", "\uffff") > 0); // eslint-disable-line no-constant-binary-expression -- the point is the literals' native order
});

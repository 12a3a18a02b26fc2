import test from "node:test";
import assert from "node:assert/strict";
import { sortByStringKey } from "./string-key-sort.js";
import { compareValues } from "../util/ordering.js";
import { Random } from "../util/random.js";

type Rec = [string, number];
const ascending = (a: Rec, b: Rec) => compareValues(a[0], b[0]);
const descending = (a: Rec, b: Rec) => compareValues(b[0], a[0]);

/** Records whose value is their input position, so a stable order is checked too. */
function records(n: number, seed: number, alphabet: string, maxLength: number, prefix = ""): Rec[] {
  const rng = new Random(seed);
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    let k = prefix;
    const length = rng.nextInt(maxLength + 1);
    for (let j = 0; j < length; j++) k += alphabet[rng.nextInt(alphabet.length)];
    out.push([k, i]);
  }
  return out;
}

test("orders string keys as the comparator's stable sort does, ascending and descending", () => {
  const cases: Array<[string, Rec[]]> = [
    ["short keys, many ties", records(20_000, 1, "ab", 4)],
    ["W3-like keys", records(20_000, 2, "0123456789", 6, "k")],
    ["keys longer than the radix prefix, sharing it", records(20_000, 3, "xy", 3, "a-long-common-prefix-")],
    ["mixed lengths up to 30, Latin-1", records(20_000, 4, "aZ9 \t~\u00e9\u00ff\u0001", 30)],
    ["empty keys among others", records(5_000, 5, "a", 1)],
  ];
  for (const [name, recs] of cases) {
    for (const [descend, cmp] of [[false, ascending], [true, descending]] as const) {
      const got = sortByStringKey(recs, descend, cmp);
      assert.ok(got, name);
      assert.deepEqual(got, [...recs].sort(cmp), `${name}, ${descend ? "descending" : "ascending"}`);
    }
  }
});

test("leaves the input as it was", () => {
  const recs = records(3000, 6, "abc", 5);
  const copy = recs.map((r) => [...r]);
  sortByStringKey(recs, false, ascending);
  assert.deepEqual(recs, copy);
});

test("declines what it cannot order exactly: the caller's comparator sort takes over", () => {
  const base = records(3000, 7, "abc", 5);
  const withKey = (k: unknown) => base.map((r, i) => (i === 1500 ? [k, r[1]] : r)) as Rec[];
  assert.equal(sortByStringKey(withKey(42), false, ascending), undefined, "a number key");
  assert.equal(sortByStringKey(withKey("a\u0100"), false, ascending), undefined, "a character from 256 up in the prefix");
  assert.equal(sortByStringKey(withKey("a\u0000b"), false, ascending), undefined, "U+0000 in the prefix");
  assert.equal(sortByStringKey(base.slice(0, 100), false, ascending), undefined, "a small buffer");
  // Past the prefix, any character: the runs tied on the prefix are sorted by the comparator.
  const astral = withKey("abcabcabcabc\u{1F600}\uFFFF");
  assert.deepEqual(sortByStringKey(astral, false, ascending), [...astral].sort(ascending));
});

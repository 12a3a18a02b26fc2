import test from "node:test";
import assert from "node:assert/strict";
import { encodeBatch, decodeBatch } from "./record-batch.js";
import { registerRecordClass } from "./record-classes.js";

const roundTrip = (records: unknown[]) => decodeBatch(encodeBatch(records));

test("pairs and triples of strings and numbers, with lists last, take the column layout and come back exactly", () => {
  const batches: unknown[][] = [
    [["a", 1], ["bb", -0], ["", NaN], ["ccc", Infinity], ["d", 2 ** 53 + 2], ["e", -1.5e-300]],
    [["word", "value"], ["", ""], ["x\u0000y", "tab\there"]],
    [["héllo", "wörld"], ["\ud800", "lone \udc00 surrogates"], ["😀", "emoji"], ["ünïcödé, longer than 13", "😀".repeat(10)]],
    [["a key longer than thirteen", "x".repeat(100)], ["short", "y".repeat(13)], ["k".repeat(12), "v".repeat(12)]],
    [[1, "one"], [-0, "zero"], [NaN, "nan"]],
    [[1.5, 2.5], [3, 4]],
    [["k", null], ["j", null]],
    [[7, null]],
    [["a", [1, -0, NaN]], ["b", []], ["c", [Infinity, 2 ** 53 + 2]]],
    [["a", []], ["b", []]],
    [[1, ["x", "a string longer than thirteen", ""]], [2, []], [3, ["héllo", "\ud800"]]],
    [["", []], ["k", ["v"]]],
    [[1, "k", [1, 2]], [2, "j", []], [-0, "", [NaN]]],
    [[1, 2, "x"], [3, 4, "y"]],
    [["a", "b", null]],
    [[7, "k", ["s", "a string longer than thirteen"]]],
  ];
  for (const b of batches) {
    const bytes = encodeBatch(b);
    assert.notEqual(bytes[0], 0xff, `column layout for ${JSON.stringify(b)}`);
    const back = decodeBatch(bytes);
    assert.equal(back.length, b.length);
    back.forEach((r, i) => {
      assert.ok(Array.isArray(r));
      const v = (r as unknown[]).at(-1);
      const bv = (b[i] as unknown[]).at(-1);
      assert.equal((r as unknown[]).length, (b[i] as unknown[]).length);
      (b[i] as unknown[]).slice(0, -1).forEach((x, j) => assert.ok(Object.is((r as unknown[])[j], x), `${String(r)} vs ${String(b[i])}`));
      if (Array.isArray(bv)) {
        assert.ok(Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype && v.length === bv.length, `${String(r)} vs ${String(b[i])}`);
        bv.forEach((x, j) => assert.ok(Object.is(v[j], x), `${String(v)} vs ${String(bv)}`));
      } else {
        assert.ok(Object.is(v, bv), `${String(r)} vs ${String(b[i])}`);
      }
    });
  }
});

test("every other batch is V8-serialized and round-trips", () => {
  const batches: unknown[][] = [
    [],
    [1, 2, 3],
    [["a", 1], ["b", "mixed"]],
    [["a", 1], [2, 1]],
    [["a", [1, "mixed"]]],
    [["a", [1, 2]], ["b", ["s"]]],
    [["a", [1, , 3]]], // eslint-disable-line no-sparse-arrays
    [["a", [[1]]]],
    [[["k"], [1]]],
    [["a", 1, "extra", "four"]],
    [["a", [1], 2]],
    [[null, "k", 1]],
    [[null, 1]],
    [["a", undefined]],
    [[1n, 2]],
    [[new Date(5), new Map([[1, 2]])]],
    [["a", 1], "not a pair"],
  ];
  for (const b of batches) {
    const bytes = encodeBatch(b);
    assert.equal(bytes[0], 0xff, JSON.stringify(b, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)));
    assert.deepEqual(roundTrip(b), b);
  }
});

test("records of a class extending Array keep their class: not taken for pairs", () => {
  class Pair extends Array<unknown> {}
  registerRecordClass("record-batch-test:Pair", Pair);
  const bytes = encodeBatch([Pair.of<unknown>("a", 1), ["b", 2]]);
  assert.ok(bytes[0] !== 1 && bytes[0] !== 2, "not the column layout");
  const [first, second] = decodeBatch<unknown[]>(bytes);
  assert.ok(first instanceof Pair && !(second instanceof Pair));
  assert.deepEqual([[...first], second], [["a", 1], ["b", 2]]);
});

test("a corrupt column batch is refused", () => {
  const bytes = encodeBatch([["a", 1], ["b", 2]]);
  assert.throws(() => decodeBatch(bytes.subarray(0, bytes.length - 1)), /corrupt record batch/);
  const bad = Buffer.from(bytes);
  bad[0] = 9;
  assert.throws(() => decodeBatch(bad), /unknown record batch format/);
  const lists = encodeBatch([["a", [1, 2]], ["b", [3]]]);
  assert.throws(() => decodeBatch(lists.subarray(0, lists.length - 8)), /corrupt record batch/);
  const miscounted = Buffer.from(lists);
  miscounted.writeUInt32LE(3, 12 + 8 + 4); // the second record's list count, after the key lengths
  assert.throws(() => decodeBatch(miscounted), /corrupt record batch/);
  bad[0] = 9;
  assert.throws(() => decodeBatch(bad), /unknown record batch format/);
});

test("a batch with more text than one column run may hold is V8-serialized instead, and round-trips", () => {
  const big = "x".repeat(600);
  const records = [[big, big], [big, "y"]];
  const under = encodeBatch(records, 0, 2000);
  assert.notEqual(under[0], 0xff, "within the limit: the column layout");
  const over = encodeBatch(records, 0, 1500);
  assert.equal(over[0], 0xff, "past the limit: V8 serialization");
  assert.deepEqual(decodeBatch(over), records);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { batchCodecOf, decodeRecords, registerCustomCodec, TSPARK_BATCHES } from "./record-serializers.js";
import { TsparkError } from "../errors.js";

test("without a serializer, or tspark's own with default batches, batches are tspark's layout", () => {
  assert.equal(batchCodecOf(undefined), TSPARK_BATCHES);
  assert.equal(batchCodecOf({ kind: "tspark" }), TSPARK_BATCHES);
  assert.equal(batchCodecOf({ kind: "tspark", batchSize: 7 }).batchSize, 7);
  const records = [["a", 1], ["b", 2]];
  assert.deepEqual(decodeRecords(batchCodecOf({ kind: "tspark", batchSize: 7 }).encode(records)), records);
});

test("JSON batches decode without being told, with JSON's limits", () => {
  const codec = batchCodecOf({ kind: "json", batchSize: 10 });
  assert.equal(codec.batchSize, 10);
  const bytes = codec.encode([["é", 1, { d: new Date(0) }], null]);
  assert.equal(bytes[0], "J".charCodeAt(0));
  assert.deepEqual(decodeRecords(bytes), [["é", 1, { d: "1970-01-01T00:00:00.000Z" }], null]);
  assert.throws(() => codec.encode([1n]), (e: unknown) => e instanceof TsparkError && e.code === "UNSERIALIZABLE" && /BigInt/.test(e.message));
});

test("a custom serializer's batches name it; a process that has its codec decodes them", () => {
  registerCustomCodec("t1", { encode: (r) => Buffer.from(String(r)), decode: (b) => `<${Buffer.from(b).toString()}>` });
  const codec = batchCodecOf({ kind: "custom", id: "t1", name: "angle", encode: "e", decode: "d" });
  const bytes = codec.encode(["x", 12, ""]);
  assert.deepEqual(decodeRecords(bytes), ["<x>", "<12>", "<>"]);
  assert.throws(() => batchCodecOf({ kind: "custom", id: "nope", name: "missing", encode: "e", decode: "d" }), /serializer missing was not registered/);
  const unknown = Buffer.from(bytes);
  unknown.write("t2", 3);
  assert.throws(() => decodeRecords(unknown), /custom serializer t2, which this process does not have/);
  registerCustomCodec("t3", { encode: () => "not bytes" as unknown as Uint8Array, decode: (b) => b });
  assert.throws(() => batchCodecOf({ kind: "custom", id: "t3", name: "bad", encode: "e", decode: "d" }).encode([1]), /serializer bad: encode returned string, not a Uint8Array/);
});

test("every codec encodes a batch after the room its caller asks for (a frame's header), for the frame not to be copied", () => {
  registerCustomCodec("t4", { encode: (r) => Buffer.from(String(r)), decode: (b) => Buffer.from(b).toString() });
  const cases: Array<[string, ReturnType<typeof batchCodecOf>, unknown[], unknown[]]> = [
    ["column layout", TSPARK_BATCHES, [["a", 1], ["é", 2]], [["a", 1], ["é", 2]]],
    ["V8 serialization (records the columns do not hold)", TSPARK_BATCHES, [{ a: 1 }, new Date(0)], [{ a: 1 }, new Date(0)]],
    ["JSON", batchCodecOf({ kind: "json" }), [["a", 1]], [["a", 1]]],
    ["custom", batchCodecOf({ kind: "custom", id: "t4", name: "plain", encode: "e", decode: "d" }), ["x", 12], ["x", "12"]],
  ];
  for (const [name, codec, records, decoded] of cases) {
    const alone = codec.encode(records);
    const framed = codec.encode(records, 8);
    assert.equal(framed.length, alone.length + 8, name);
    assert.deepEqual(framed.subarray(8), alone, name);
    assert.deepEqual(decodeRecords(framed.subarray(8)), decoded, name);
  }
});

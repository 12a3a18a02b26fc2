import test from "node:test";
import assert from "node:assert/strict";
import { appendPiece, encodeRecordPieces } from "./result-pieces.js";
import { encodeMessage } from "./message-codec.js";

test("a result is encoded in slices within the limit, and their records append back in order", () => {
  const records = Array.from({ length: 5000 }, (_, i) => [`key ${i}`, "v".repeat(i % 97)]);
  for (const hint of [undefined, encodeMessage(records).length]) {
    const pieces = [...encodeRecordPieces(records, 20_000, hint)];
    assert.ok(pieces.length > 5, `${pieces.length} pieces`);
    for (const p of pieces) assert.ok(p.length <= 20_000, `a piece of ${p.length} bytes`);
    const back: unknown[] = [];
    for (const p of pieces) appendPiece(back, p);
    assert.deepEqual(back, records);
  }
});

test("a result within the limit is one piece; a single record over it is refused with what to do", () => {
  assert.equal([...encodeRecordPieces([1, 2, 3], 1000)].length, 1);
  assert.deepEqual([...encodeRecordPieces([], 1000)], []);
  assert.throws(() => [...encodeRecordPieces(["small", "x".repeat(5000)], 1000)], /one record of the task's result serializes to [\d.]+ KiB, more than one frame holds \(1000 B\): split it into smaller records, or write the RDD out/);
});

import test from "node:test";
import assert from "node:assert/strict";
import { SizeTracker, spillFrameRecords, roughHeapSize } from "./size-estimator.js";

test("spill-run frames hold about 32 KB of records, 16 to 4096 of them", () => {
  const big = new SizeTracker();
  const rec = [1, "x".repeat(500)];
  for (let i = 0; i < 100; i++) big.add(rec);
  assert.equal(spillFrameRecords(big), Math.floor((32 * 1024) / roughHeapSize(rec)));
  const small = new SizeTracker();
  for (let i = 0; i < 100; i++) small.add(1);
  assert.equal(spillFrameRecords(small), 4096);
  const huge = new SizeTracker();
  huge.add("y".repeat(100_000));
  assert.equal(spillFrameRecords(huge), 16);
  assert.equal(spillFrameRecords(new SizeTracker()), 4096);
});

test("release forgets entries that left the collection", () => {
  const t = new SizeTracker();
  for (let i = 0; i < 10; i++) t.add("abcd");
  const full = t.estimatedBytes;
  t.release(5);
  assert.equal(t.estimatedBytes, full / 2);
});

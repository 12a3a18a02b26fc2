import test from "node:test";
import assert from "node:assert/strict";
import { HyperLogLog, precisionFor } from "./hyperloglog.js";

test("estimates within a few relative standard deviations, merges by register max", () => {
  for (const n of [0, 10, 1000, 100_000]) {
    const a = new HyperLogLog(precisionFor(0.05));
    const b = new HyperLogLog(precisionFor(0.05));
    for (let i = 0; i < n; i++) (i % 2 ? a : b).add(`v${i}`);
    for (let i = 0; i < n; i++) a.add(`v${i}`); // duplicates do not count
    a.merge(b.registers);
    const e = a.estimate();
    assert.ok(Math.abs(e - n) <= Math.max(2, n * 0.15), `n=${n} estimate=${e}`);
  }
  const h = new HyperLogLog(precisionFor(0.05));
  [1, 1.0, 1n, [1, "a"], [1, "a"]].forEach((x) => h.add(x));
  assert.equal(h.estimate(), 2, "equal values count once");
  assert.throws(() => precisionFor(0.000001), /relativeSD/);
});

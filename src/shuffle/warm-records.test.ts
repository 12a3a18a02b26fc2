/**
 * A sorted partition's batches are read ahead before they are given (warm-records.ts), in
 * memory and when merged from spilled runs.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { warmRecords, warmedLengths } from "./warm-records.js";
import { ExternalSorter } from "./external-sorter.js";
import { standaloneResources } from "./task-resources.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-warm-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

type Rec = [string, string];
const byKey = (a: Rec, b: Rec) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const lengthsOf = (rs: Rec[]) => rs.reduce((n, [k, v]) => n + k.length + v.length, 0);

test("warmRecords reads the string key and value of each pair, and skips what is not one", () => {
  const before = warmedLengths();
  warmRecords([["ab", "cde"], [1, "xy"], "not a pair", null, ["k", 2]]);
  assert.equal(warmedLengths() - before, 2 + 3 + 2 + 1);
});

for (const [name, memory] of [["in memory", 1e9], ["merged from spilled runs", 64 * 1024]] as const) {
  test(`a sorted partition ${name} is read ahead batch by batch, every record once, before it is given`, () => {
    const records: Rec[] = Array.from({ length: 20_000 }, (_, i) => [`key${(i * 7919) % 20_000}`, `value ${i}`]);
    const s = new ExternalSorter<Rec>(byKey, standaloneResources(dir, memory), "warm-test");
    for (let i = 0; i < records.length; i += 500) s.insertAll(records.slice(i, i + 500));
    if (memory < 1e9) assert.ok(s.spills > 0, "the small budget spills");
    const before = warmedLengths();
    const out: Rec[] = [];
    for (const b of s.sorted()) {
      // Read ahead before it is given: every record of this batch is counted already.
      assert.equal(warmedLengths() - before, lengthsOf(out) + lengthsOf(b));
      assert.ok(b.length <= 1024, "batches small enough to stay in the cache");
      out.push(...b);
    }
    assert.deepEqual(out, [...records].sort(byKey));
  });
}

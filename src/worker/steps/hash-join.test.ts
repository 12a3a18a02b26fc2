import test, { after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { hashJoinStreams } from "./hash-join.js";
import { collectStream } from "../batch-stream.js";
import { standaloneResources } from "../../shuffle/task-resources.js";
import { canonicalKey } from "../../util/value-map.js";
import type { JoinHow } from "./pair-steps.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-hash-join-"));
/** A task's resources with `memoryBytes` for buffers (the worker's default budget unless told). */
const joinTask = (memoryBytes = 512 * 1024 * 1024) => ({ ...standaloneResources(dir, memoryBytes), spillName: "t0" });
after(() => rmSync(dir, { recursive: true, force: true }));

type Pair = [unknown, unknown];

/** What every join must produce, by tspark's key equality (grouped by canonical key, not nested loops: the sides run to thousands). */
function expected(left: Pair[], right: Pair[], how: JoinHow): string[] {
  const out: unknown[] = [];
  const byKey = (xs: Pair[]) => {
    const m = new Map<string, unknown[]>();
    for (const [k, v] of xs) {
      const c = canonicalKey(k);
      const vs = m.get(c);
      if (vs) vs.push(v);
      else m.set(c, [v]);
    }
    return m;
  };
  const rightByKey = byKey(right);
  const leftByKey = byKey(left);
  for (const [k, v] of left) {
    const ms = rightByKey.get(canonicalKey(k)) ?? [];
    for (const w of ms) out.push([k, [v, w]]);
    if (ms.length === 0 && (how === "left" || how === "full")) out.push([k, [v, null]]);
  }
  if (how === "right" || how === "full") for (const [k, w] of right) if (!leftByKey.has(canonicalKey(k))) out.push([k, [null, w]]);
  return out.map((r) => canonicalKey(r)).sort();
}

async function run(left: Pair[], right: Pair[], how: JoinHow, batch = 3, task = joinTask()): Promise<string[]> {
  const batches = (xs: Pair[]) => Array.from({ length: Math.ceil(xs.length / batch) }, (_, i) => xs.slice(i * batch, (i + 1) * batch));
  const got = await collectStream(hashJoinStreams(batches(left), batches(right), how, task));
  return got.map((r) => canonicalKey(r)).sort();
}

const left: Pair[] = [["a", 1], ["b", 2], ["a", 3], [[1, "t"], 4], [NaN, 5], [0, 6], [7, 7]];
const right: Pair[] = [["a", "x"], ["a", "y"], [[1, "t"], "z"], [NaN, "n"], [-0, "zero"], ["c", "only-right"]];

for (const how of ["inner", "left", "right", "full"] as const) {
  test(`hash join (${how}): duplicates on both sides, tuple keys, NaN and -0`, async () => {
    assert.deepEqual(await run(left, right, how), expected(left, right, how));
    assert.deepEqual(await run(left, [], how), expected(left, [], how));
    assert.deepEqual(await run([], right, how), expected([], right, how));
  });
}

test("a right side larger than the worker memory falls back to a spilling cogroup, same results", async () => {
  const task = joinTask(256 * 1024);
  const big: Pair[] = Array.from({ length: 20_000 }, (_, i) => [`k${i % 5000}`, `${"v".repeat(40)}${i}`]);
  const probe: Pair[] = Array.from({ length: 3000 }, (_, i) => [`k${i * 2}`, i]);
  for (const how of ["inner", "full"] as const) assert.deepEqual(await run(probe, big, how, 1000, task), expected(probe, big, how));
  assert.ok(task.metrics.spills > 0, "the fallback spilled");
});

test("a skewed key's output comes in bounded batches", async () => {
  const l: Pair[] = Array.from({ length: 1000 }, (_, i) => ["hot", i]);
  const r: Pair[] = Array.from({ length: 10 }, (_, i) => ["hot", `w${i}`]);
  const sizes: number[] = [];
  for await (const b of hashJoinStreams([l], [r], "inner", joinTask())) sizes.push(b.length);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 10_000);
  assert.ok(Math.max(...sizes) <= 4096, `batches of ${sizes}`);
});

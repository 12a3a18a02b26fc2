import test, { after } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executorInput } from "./executor-records.js";
import { WireReader, WireWriter, SpecialLength } from "../wire/wire.js";
import { encodeTaggedBatch } from "../../shuffle/shuffle-emitter.js";
import { asyncRecordsOf, collectStream } from "../../worker/batch-stream.js";
import type { ExecutorInputPlan, PartitionPlan } from "../../scheduler/plan.js";

const scratch = mkdtempSync(join(tmpdir(), "tspark-executor-records-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A leaf reading partition p of shuffle s (partitioned by partitioner `by`). */
const leaf = (s: number, p: number, by = 0): ExecutorInputPlan => ({ kind: "executor-input", from: { rdd: `rdd${s}`, partitions: 4, partition: p, records: "tagged-batches", tagged: { source: s, partitioner: by } } });

/** An executor's stream of tagged frames, one per [shuffle, partition, records], then the end of data. */
function executor(frames: Array<[number, number, unknown[]]>): WireReader {
  const stream = new PassThrough();
  const w = new WireWriter(stream);
  for (const [s, p, records] of frames) {
    w.frame(encodeTaggedBatch(records, s, p));
  }
  w.int32(SpecialLength.END_OF_DATA_SECTION);
  void w.flush().then(() => stream.end());
  return new WireReader(stream);
}

const join2 = (left: ExecutorInputPlan, right: ExecutorInputPlan): PartitionPlan => ({ kind: "hash-join", left, right, how: "inner" });

test("a join's two shuffles come one after the other, right side first: each leaf reads its own run, nothing waits", async () => {
  const plan = join2(leaf(1, 2), leaf(2, 2));
  const input = executorInput(executor([[2, 2, ["r1", "r2"]], [2, 2, ["r3"]], [1, 2, ["l1"]], [1, 2, ["l2"]]]), "tagged-batches", plan, () => scratch);
  const right = input(leaf(2, 2));
  const left = input(leaf(1, 2));
  assert.deepEqual(await collectStream(right), ["r1", "r2", "r3"], "the right side ends where the left side's run starts");
  assert.deepEqual(await collectStream(left), ["l1", "l2"]);
});

test("frames of a leaf that is not reading wait for it (a zip reads its sides in turn), past the memory budget in a file", async () => {
  const a = leaf(1, 0, 0);
  const b = leaf(2, 0, 1);
  const plan: PartitionPlan = { kind: "zip", left: a, right: b };
  const frames: Array<[number, number, unknown[]]> = [];
  for (let i = 0; i < 50; i++) frames.push([1, 0, [`a${i}`]]);
  for (let i = 0; i < 50; i++) frames.push([2, 0, [`b${i}`]]);
  const input = executorInput(executor(frames), "tagged-batches", plan, () => scratch, 64);
  const left = asyncRecordsOf(input(a));
  const right = asyncRecordsOf(input(b));
  const pairs: unknown[] = [];
  for (let i = 0; i < 50; i++) pairs.push([(await left.next()).value, (await right.next()).value]);
  assert.deepEqual(pairs.slice(0, 2), [["a0", "b0"], ["a1", "b1"]]);
  assert.deepEqual(pairs[49], ["a49", "b49"]);
  assert.equal((await left.next()).done, true);
  assert.equal((await right.next()).done, true);
  assert.deepEqual(readdirSync(scratch), [], "the file of early frames is removed once read");
});

test("partitions gathered in an order Spark chooses: each leaf gets its partition's frames, whatever comes first", async () => {
  const parts = [leaf(3, 0), leaf(3, 1), leaf(3, 2)];
  const plan: PartitionPlan = { kind: "concat", parents: parts };
  const input = executorInput(executor([[3, 2, ["c"]], [3, 0, ["a1"]], [3, 1, ["b"]], [3, 0, ["a2"]]]), "tagged-batches", plan, () => scratch);
  const got = [];
  for (const p of parts) got.push(await collectStream(input(p)));
  assert.deepEqual(got, [["a1", "a2"], ["b"], ["c"]]);
});

test("a shuffle partition read by two leaves (a cogroup of an RDD with itself) is read once, by both", async () => {
  const plan: PartitionPlan = { kind: "concat", parents: [leaf(4, 1), leaf(4, 1)] };
  const input = executorInput(executor([[4, 1, [1, 2]], [4, 1, [3]]]), "tagged-batches", plan, () => scratch);
  assert.deepEqual(await collectStream(input(leaf(4, 1))), [1, 2, 3]);
  assert.deepEqual(await collectStream(input(leaf(4, 1))), [1, 2, 3]);
  assert.throws(() => input(leaf(4, 1)), /more often than its leaves say/);
});

test("a frame the task does not read, or out of the union's order, is a protocol error", async () => {
  const plan = join2(leaf(1, 0), leaf(2, 0));
  const stray = executorInput(executor([[9, 0, ["x"]]]), "tagged-batches", plan, () => scratch);
  await assert.rejects(async () => collectStream(stray(leaf(2, 0))), /a frame of 9 \(partition 0\), which the task does not read/);
  const late = executorInput(executor([[1, 0, ["l"]], [2, 0, ["r"]]]), "tagged-batches", plan, () => scratch);
  await assert.rejects(async () => collectStream(late(leaf(2, 0))), /after the frames of a later member of the union/);
});

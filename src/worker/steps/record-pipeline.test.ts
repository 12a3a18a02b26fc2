/** Fused per-record steps: one record goes through every step before the next is read. */
import test from "node:test";
import assert from "node:assert/strict";
import "./narrow-steps.js";
import { stepOperator } from "./step-registry.js";
import { RecordPipeline, pushRecords, pushRecordsByBatch } from "./record-pipeline.js";
import { standaloneTaskScope } from "../standalone-task.js";
import type { BatchStream } from "../batch-stream.js";

const task = standaloneTaskScope();
/** A context for steps that take no arguments. */
const ctx = (fn: Function) => ({ partitionIndex: 0, fns: [fn], args: undefined, task });

function chain(log: string[], source: BatchStream<unknown>): BatchStream<unknown> {
  const split = stepOperator("flatMap")(source, ctx((l: string) => (log.push(`split ${l}`), l.split(" "))));
  const pairs = stepOperator("map")(split, ctx((w: string) => (log.push(`pair ${w}`), [w, 1])));
  return stepOperator("filter")(pairs, ctx(([w]: [string]) => w !== "x"));
}

test("synchronous map/flatMap/filter steps fuse: each record reaches the consumer before the next source record is read", () => {
  const log: string[] = [];
  const stream = chain(log, [["a b", "x c"], ["d"]]);
  assert.ok(stream instanceof RecordPipeline, "three steps, one chain");
  pushRecords(stream as Iterable<unknown[]>, (rec) => log.push(`sink ${JSON.stringify(rec)}`));
  assert.deepEqual(log, [
    "split a b", "pair a", 'sink ["a",1]', "pair b", 'sink ["b",1]',
    "split x c", "pair x", "pair c", 'sink ["c",1]',
    "split d", "pair d", 'sink ["d",1]',
  ]);
});

test("read as batches, a fused chain yields one batch per source batch (empty ones skipped), lazily", () => {
  const log: string[] = [];
  const stream = chain(log, [["a b", "x c"], ["x"], ["d"]]) as Iterable<unknown[]>;
  const it = stream[Symbol.iterator]();
  assert.deepEqual(it.next().value, [["a", 1], ["b", 1], ["c", 1]]);
  assert.ok(!log.includes("split d"), "the next source batch is not read before it is asked for");
  assert.deepEqual(it.next().value, [["d", 1]]);
  assert.equal(it.next().done, true);
});

test("after an asynchronous step the steps still run, batch by batch; a Promise from a synchronous function is refused", async () => {
  const log: string[] = [];
  const source = (async function* () {
    yield ["a b"];
    yield ["c"];
  })();
  const out: unknown[][] = [];
  for await (const b of chain(log, source) as AsyncIterable<unknown[]>) out.push(b);
  assert.deepEqual(out, [[["a", 1], ["b", 1]], [["c", 1]]]);
  const bad = stepOperator("map")([[1]], ctx(() => Promise.resolve(1))) as Iterable<unknown[]>;
  assert.throws(() => [...bad], /returned a Promise but is not declared async/);
});

test("read as batches, steps that both expand records still cut at 8192 and read only what is asked for", () => {
  let inner = 0;
  const thousand = (x: number) => Array.from({ length: 1000 }, (_, i) => x * 1000 + i);
  const first = stepOperator("flatMap")([Array.from({ length: 1024 }, (_, i) => i)], ctx(thousand));
  const second = stepOperator("flatMap")(first, ctx((x: number) => (inner++, thousand(x)))) as Iterable<unknown[]>;
  const it = second[Symbol.iterator]();
  const batch = it.next().value as unknown[];
  assert.ok(batch.length >= 8192 && batch.length <= 8192 + 1000, `first batch of ${batch.length}`);
  assert.ok(inner <= 10, `the second flatMap ran ${inner} times for the first batch`);
  it.return?.();
});

test("mapValues and flatMapValues on records that are not pairs fail with a clear error", () => {
  for (const op of ["mapValues", "flatMapValues"] as const) {
    const s = stepOperator(op)([[1]], ctx((v: unknown) => [v])) as Iterable<unknown[]>;
    assert.throws(() => [...s], new RegExp(`${op} needs \\[key, value\\] pairs, got a record of type number`));
  }
});

test("ten thousand chained maps run, pushed record by record and read as batches (no stack overflow)", () => {
  const inc = (x: number) => x + 1;
  let s: BatchStream<unknown> = [[0, 1, 2], [3]];
  for (let i = 0; i < 10_000; i++) s = stepOperator("map")(s, ctx(inc));
  assert.ok(s instanceof RecordPipeline);
  const pushed: unknown[] = [];
  pushRecords(s as Iterable<unknown[]>, (r) => pushed.push(r));
  assert.deepEqual(pushed, [10_000, 10_001, 10_002, 10_003]);
  assert.deepEqual([...(s as Iterable<unknown[]>)], [[10_000, 10_001, 10_002], [10_003]]);
});

test("pushRecordsByBatch: records go down the fused chain one by one, and it yields after each source batch (what the shuffle emitter hands Spark between batches)", () => {
  const log: string[] = [];
  const stream = chain(log, [["a b", "x c"], ["d"]]);
  for (const _ of pushRecordsByBatch(stream as Iterable<unknown[]>, (rec) => log.push(`sink ${JSON.stringify(rec)}`))) log.push("batch done");
  assert.deepEqual(log, [
    "split a b", "pair a", 'sink ["a",1]', "pair b", 'sink ["b",1]',
    "split x c", "pair x", "pair c", 'sink ["c",1]', "batch done",
    "split d", "pair d", 'sink ["d",1]', "batch done",
  ]);
  const plain: string[] = [];
  for (const _ of pushRecordsByBatch([[1, 2], [3]], (r) => plain.push(String(r)))) plain.push("|");
  assert.deepEqual(plain, ["1", "2", "|", "3", "|"]);
});

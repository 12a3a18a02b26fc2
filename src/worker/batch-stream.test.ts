/** The stream combinators: one body per operator, synchronous for a synchronous input and asynchronous for an asynchronous one. */
import test from "node:test";
import assert from "node:assert/strict";
import {
  type BatchStream, isAsyncStream, isThenable, mapBatches, liftSync, foldBatches, foldRecords, reduceRecords, concatStreams, streamRecords, collectStream,
} from "./batch-stream.js";
import { RecordPipeline } from "./steps/record-pipeline.js";

async function* asyncOf<T>(batches: T[][]): AsyncGenerator<T[], void, undefined> {
  yield* batches;
}

/** The batches of a synchronous stream, read without any await (throws if the stream is asynchronous). */
function syncBatches<T>(s: BatchStream<T>): T[][] {
  assert.equal(isAsyncStream(s), false, "a synchronous input gives a synchronous stream");
  return [...(s as Iterable<T[]>)];
}

async function asyncBatches<T>(s: BatchStream<T>): Promise<T[][]> {
  assert.equal(isAsyncStream(s), true, "an asynchronous input gives an asynchronous stream");
  const out: T[][] = [];
  for await (const b of s) out.push(b);
  return out;
}

test("mapBatches: a synchronous input gives a synchronous stream, an asynchronous one an asynchronous stream; empty and undefined outputs are not emitted", async () => {
  const input = [[1, 2, 3], [4], [5, 6]];
  const evens = (b: number[]) => (b.length === 1 ? undefined : b.filter((x) => x % 2 === 0));
  assert.deepEqual(syncBatches(mapBatches(input, evens)), [[2], [6]]);
  assert.deepEqual(await asyncBatches(mapBatches(asyncOf(input), evens)), [[2], [6]]);
});

test("mapBatches: nothing runs before the stream is read; flush runs once, after the last batch; close runs once however the stream ends", async () => {
  for (const make of [(b: number[][]) => b, asyncOf<number>]) {
    const log: string[] = [];
    const s = mapBatches(make([[1], [2]]), (b) => {
      log.push(`each ${b[0]}`);
      return b;
    }, {
      flush: () => {
        log.push("flush");
        return [[], [9]];
      },
      close: () => log.push("close"),
    });
    assert.deepEqual(log, [], "lazy");
    assert.deepEqual(await collectStream(s), [1, 2, 9]);
    assert.deepEqual(log, ["each 1", "each 2", "flush", "close"]);

    // Left early by its reader: close, no flush.
    const early: string[] = [];
    const t = mapBatches(make([[1], [2], [3]]), (b) => b, { flush: () => (early.push("flush"), undefined), close: () => early.push("close") });
    if (isAsyncStream(t)) for await (const _ of t) break;
    else for (const _ of t) break;
    assert.deepEqual(early, ["close"]);

    // Failed: close all the same.
    const failed: string[] = [];
    const u = mapBatches(make([[1]]), () => {
      throw new Error("boom");
    }, { close: () => failed.push("close") });
    await assert.rejects(async () => collectStream(u), /boom/);
    assert.deepEqual(failed, ["close"]);
  }
});

test("mapBatches: done() stops reading the input, checked before the first read too", async () => {
  for (const make of [(b: number[][]) => b, asyncOf<number>]) {
    let reads = 0;
    const counted = mapBatches(make([[1, 2], [3, 4], [5, 6]]), (b) => {
      reads++;
      return b;
    });
    let have = 0;
    const firstThree = mapBatches(counted, (b) => {
      const t = b.slice(0, 3 - have);
      have += t.length;
      return t;
    }, { done: () => have >= 3 });
    assert.deepEqual(await collectStream(firstThree), [1, 2, 3]);
    assert.equal(reads, 2, "the third batch is never read");
    const none = mapBatches(make([[1]]), (b) => b, { done: () => true, flush: () => [[7]] });
    assert.deepEqual(await collectStream(none), [], "stopped before the first read: no flush either");
  }
});

test("liftSync: applies a synchronous stream transform to a synchronous stream as a whole, to an asynchronous one batch by batch", async () => {
  const double = (s: Iterable<number[]>) => RecordPipeline.append(s as Iterable<unknown[]>, (emit) => (x) => emit((x as number) * 2)) as Iterable<number[]>;
  const whole = liftSync([[1, 2], [3]], double);
  assert.ok(whole instanceof RecordPipeline, "a synchronous input keeps the fused chain");
  assert.deepEqual(syncBatches(whole), [[2, 4], [6]]);
  assert.deepEqual(await asyncBatches(liftSync(asyncOf([[1, 2], [3]]), double)), [[2, 4], [6]]);
});

test("foldBatches and foldRecords: a value (no Promise) for a synchronous input, a Promise for an asynchronous one; finish runs once", async () => {
  let finishes = 0;
  const sum = (s: BatchStream<number>) => {
    let t = 0;
    return foldBatches(s, (b) => {
      for (const x of b) t += x;
    }, () => (finishes++, t));
  };
  const syncSum = sum([[1, 2], [3]]);
  assert.equal(isThenable(syncSum), false);
  assert.equal(syncSum, 6);
  const asyncSum = sum(asyncOf([[1, 2], [3]]));
  assert.ok(isThenable(asyncSum));
  assert.equal(await asyncSum, 6);
  assert.equal(finishes, 2);

  const seen: number[] = [];
  const r = foldRecords([[1, 2], [3]], (x: number) => seen.push(x), () => seen.length);
  assert.equal(r, 3);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(await foldRecords(asyncOf([[1, 2], [3]]), () => undefined, () => "done"), "done");
});

test("foldRecords: a fused chain pushes its records straight in; `batch` replaces `each` for plain batches; awaitEach awaits each record in order", async () => {
  const pipeline = RecordPipeline.append([[1, 2, 3]], (emit) => (x) => emit((x as number) + 10));
  let viaBatch = 0;
  const got: unknown[] = [];
  foldRecords(pipeline, (x) => got.push(x), () => undefined, { batch: () => viaBatch++ });
  assert.deepEqual(got, [11, 12, 13], "the chain's records, one by one");
  assert.equal(viaBatch, 0);
  let n = 0;
  assert.equal(foldRecords([[1, 2], [3]], () => n++, () => n, { batch: (b) => (n += b.length * 100) }), 300, "plain batches go to `batch`");
  assert.equal(await foldRecords(asyncOf([[1, 2], [3]]), () => n++, () => n, { batch: (b) => (n += b.length) }), 303);

  const order: string[] = [];
  const slow = async (x: number) => {
    await new Promise((res) => setTimeout(res, 3 - x));
    order.push(`done ${x}`);
  };
  const p = foldRecords([[1, 2, 3]], slow, () => order.length, { awaitEach: true });
  assert.ok(isThenable(p), "awaitEach makes a synchronous input's fold asynchronous");
  assert.equal(await p, 3);
  assert.deepEqual(order, ["done 1", "done 2", "done 3"]);
});

test("reduceRecords: one batch, made when the stream is first read; synchronous for a synchronous input", async () => {
  let n = 0;
  const s = reduceRecords([[1, 2], [3]], () => n++, () => [n]);
  assert.equal(n, 0, "lazy");
  assert.deepEqual(syncBatches(s), [[3]]);
  let m = 0;
  assert.deepEqual(await asyncBatches(reduceRecords(asyncOf([[1, 2], [3]]), () => m++, () => [m])), [[3]]);
  assert.deepEqual(await asyncBatches(reduceRecords([[1]], async () => undefined, () => ["ok"], { awaitEach: true })), [["ok"]]);
});

test("concatStreams and streamRecords keep a synchronous stream synchronous", async () => {
  assert.deepEqual(syncBatches(concatStreams([[[1]], [[2, 3]]])), [[1], [2, 3]]);
  assert.deepEqual(await asyncBatches(concatStreams<number>([[[1]], asyncOf([[2, 3]])])), [[1], [2, 3]]);
  const records = streamRecords([[1, 2], [3]]);
  assert.deepEqual([...(records as Iterable<number>)], [1, 2, 3]);
  const asyncRecords: number[] = [];
  for await (const x of streamRecords(asyncOf([[1, 2], [3]]))) asyncRecords.push(x);
  assert.deepEqual(asyncRecords, [1, 2, 3]);
});

/**
 * The narrow (record-at-a-time and partition-at-a-time) operators. Each is a transform of a
 * batch stream; the synchronous path never allocates a Promise per record, and an `async`
 * user function switches that step (and what follows) to the asynchronous path.
 */
import {
  type BatchStream, BATCH_RECORDS, isAsyncStream, isAsyncFunction, isThenable,
  recordsOf, batchesOf, asyncBatchesOf, collectStream, mapBatches, liftSync,
} from "../batch-stream.js";
import { registerStep, requireFn, type StepContext } from "./step-registry.js";
import { RecordPipeline, MAX_OUT_RECORDS, type Emit } from "./record-pipeline.js";
import { TsparkError } from "../../errors.js";

type Fn1 = (x: unknown) => unknown;

function promiseFromSyncFunction(what: string): TsparkError {
  return new TsparkError(
    "INVALID_ARGUMENT",
    `the ${what} function returned a Promise but is not declared async; write it as \`async (x) => ...\` so tspark awaits it`,
  );
}

function isIterable(v: unknown): v is Iterable<unknown> {
  return v != null && typeof (v as Iterable<unknown>)[Symbol.iterator] === "function";
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return v != null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

function notIterable(what: string, v: unknown): TsparkError {
  return new TsparkError("INVALID_ARGUMENT", `the ${what} function must return an iterable (an array, a generator, ...), got ${v === null ? "null" : typeof v}`);
}

/**
 * Builds a per-record step. A synchronous function on a synchronous stream joins the
 * stream's fused chain (worker/steps/record-pipeline.ts); after an asynchronous step the chain
 * runs once per batch; an async function is awaited record by record.
 */
function recordStep(
  what: string,
  stage: (f: Fn1, emit: Emit) => Emit,
  eachAsync: (f: Fn1, x: unknown, out: unknown[]) => Promise<void>,
) {
  return (input: BatchStream<unknown>, ctx: StepContext): BatchStream<unknown> => {
    const f = requireFn<Fn1>(ctx, what);
    if (isAsyncFunction(f)) {
      return (async function* () {
        for await (const batch of input as AsyncIterable<unknown[]>) {
          let out: unknown[] = [];
          for (let i = 0; i < batch.length; i++) {
            await eachAsync(f, batch[i], out);
            if (out.length >= MAX_OUT_RECORDS) {
              yield out;
              out = [];
            }
          }
          if (out.length > 0) yield out;
        }
      })();
    }
    // A synchronous function after an asynchronous step (e.g. after a shuffle's reduce side)
    // runs its chain once per batch: one await per batch, none per record (W3's map after
    // sortByKey: 1.1-1.3 s of Promise handling per worker at 50 MB).
    return liftSync(input, (s) => RecordPipeline.append(s, (emit) => stage(f, emit)));
  };
}

/** Emits each record of what a flatMap-like function returned. */
function emitAll(what: string, r: unknown, emit: Emit): void {
  if (Array.isArray(r)) for (let j = 0; j < r.length; j++) emit(r[j]);
  else if (isIterable(r)) for (const y of r) emit(y);
  else if (isThenable(r)) throw promiseFromSyncFunction(what);
  else throw notIterable(what, r);
}

async function pushAllAsync(what: string, r: unknown, out: unknown[]): Promise<void> {
  if (isThenable(r)) r = await r;
  if (isAsyncIterable(r)) for await (const y of r) out.push(y);
  else emitAll(what, r, (y) => out.push(y));
}

/** The result of a synchronous user function, refused when it is a Promise. */
function synchronous(what: string, r: unknown): unknown {
  if (isThenable(r)) throw promiseFromSyncFunction(what);
  return r;
}

type Pair = [unknown, unknown];

/** The record as a [key, value] pair, or a clear error (a pair step on records that are not pairs). */
function pairOf(what: string, x: unknown): Pair {
  if (!Array.isArray(x)) throw new TsparkError("INVALID_ARGUMENT", `${what} needs [key, value] pairs, got a record of type ${x === null ? "null" : typeof x}`);
  return x as Pair;
}

registerStep("map", recordStep(
  "map",
  (f, emit) => (x) => emit(synchronous("map", f(x))),
  async (f, x, out) => {
    out.push(await f(x));
  },
));

registerStep("filter", recordStep(
  "filter",
  (f, emit) => (x) => {
    if (synchronous("filter", f(x))) emit(x);
  },
  async (f, x, out) => {
    if (await f(x)) out.push(x);
  },
));

registerStep("flatMap", recordStep("flatMap", (f, emit) => (x) => emitAll("flatMap", f(x), emit), (f, x, out) => pushAllAsync("flatMap", f(x), out)));

// Pair helpers: the user function sees the value (or record), the key is carried along.
registerStep("mapValues", recordStep(
  "mapValues",
  (f, emit) => (x) => {
    const p = pairOf("mapValues", x);
    emit([p[0], synchronous("mapValues", f(p[1]))]);
  },
  async (f, x, out) => {
    const p = pairOf("mapValues", x);
    out.push([p[0], await f(p[1])]);
  },
));

registerStep("flatMapValues", recordStep(
  "flatMapValues",
  (f, emit) => (x) => {
    const p = pairOf("flatMapValues", x);
    const k = p[0];
    emitAll("flatMapValues", f(p[1]), (y) => emit([k, y]));
  },
  async (f, x, out) => {
    const p = pairOf("flatMapValues", x);
    const vs: unknown[] = [];
    await pushAllAsync("flatMapValues", f(p[1]), vs);
    for (const y of vs) out.push([p[0], y]);
  },
));

registerStep("keyBy", recordStep(
  "keyBy",
  (f, emit) => (x) => emit([synchronous("keyBy", f(x)), x]),
  async (f, x, out) => {
    out.push([await f(x), x]);
  },
));

registerStep("keys", (input) => mapBatches(input, (b) => b.map((x) => (x as Pair)[0])));
registerStep("values", (input) => mapBatches(input, (b) => b.map((x) => (x as Pair)[1])));

/** zipWithIndex: `args.start` is the global index of this partition's first record. */
registerStep("zipWithIndex", (input, ctx) => {
  let i = ctx.args.start;
  return mapBatches(input, (b) => b.map((x) => [x, i++]));
});

/** zipWithUniqueId: record i of partition k among n partitions gets i*n + k. */
registerStep("zipWithUniqueId", (input, ctx) => {
  const n = ctx.args.numPartitions;
  let i = 0;
  return mapBatches(input, (b) => b.map((x) => [x, i++ * n + ctx.partitionIndex]));
});

/** The user's partition function, called lazily when the stream is first read. */
registerStep("mapPartitions", (input, ctx) => {
  const f = requireFn<(...a: unknown[]) => unknown>(ctx, "mapPartitions");
  const withIndex = ctx.args.withIndex;
  const call = (it: unknown): unknown => (withIndex ? f(ctx.partitionIndex, it) : f(it));
  if (!isAsyncFunction(f) && !isAsyncStream(input)) {
    return (function* () {
      const r = call(recordsOf(input));
      if (Array.isArray(r)) {
        for (let i = 0; i < r.length; i += BATCH_RECORDS) yield r.slice(i, i + BATCH_RECORDS);
      } else if (isIterable(r)) {
        yield* batchesOf(r);
      } else if (isThenable(r) || isAsyncIterable(r)) {
        throw promiseFromSyncFunction("mapPartitions");
      } else {
        throw notIterable("mapPartitions", r);
      }
    })();
  }
  return (async function* () {
    // The function always sees a synchronous iterable (as in PySpark): when an async step
    // runs before it, that partition's records are gathered first.
    const it = isAsyncStream(input) ? (await collectStream(input))[Symbol.iterator]() : recordsOf(input);
    let r = call(it);
    if (isThenable(r)) r = await r;
    if (isAsyncIterable(r) || isIterable(r)) yield* asyncBatchesOf(r as AsyncIterable<unknown>);
    else throw notIterable("mapPartitions", r);
  })();
});

/** glom: the whole partition as one array record. */
registerStep("glom", (input) => {
  const all: unknown[] = [];
  return mapBatches(input, (b) => {
    for (const x of b) all.push(x);
    return undefined;
  }, { flush: () => [[all]] });
});

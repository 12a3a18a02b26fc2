/**
 * The narrow (record-at-a-time and partition-at-a-time) operators. Each is a transform of a
 * batch stream; the synchronous path never allocates a Promise per record, and an `async`
 * user function switches that step (and what follows) to the asynchronous path.
 */
import {
  type BatchStream, BATCH_RECORDS, isAsyncStream, isAsyncFunction, isThenable,
  recordsOf, batchesOf, asyncBatchesOf, collectStream,
} from "./batch-stream.js";
import { registerStep, requireFn, type StepContext } from "./step-registry.js";
import { TsparkError } from "../errors.js";

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
 * A step's output batch is cut at this many records. A longer array's backing store (over
 * V8's 128 KB regular-object limit) is allocated in the large-object space, on freshly
 * mapped pages each time: W1's flatMap made 40k-word batches from 4096 lines, which caused
 * 55% of a worker's page faults (329k faults, 1.0 s of system time at 50 MB).
 */
const MAX_OUT_RECORDS = 8192;

/** Builds a per-record step from a function that maps one record to its output records. */
function recordStep(
  what: string,
  each: (f: Fn1, x: unknown, out: unknown[]) => void,
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
    if (isAsyncStream(input)) {
      // A synchronous function after an asynchronous step (e.g. after a shuffle's reduce
      // side): one await per batch, none per record (W3's map after sortByKey: 1.1-1.3 s
      // of Promise handling per worker at 50 MB).
      return (async function* () {
        for await (const batch of input) {
          let out: unknown[] = [];
          for (let i = 0; i < batch.length; i++) {
            each(f, batch[i], out);
            if (out.length >= MAX_OUT_RECORDS) {
              yield out;
              out = [];
            }
          }
          if (out.length > 0) yield out;
        }
      })();
    }
    return (function* () {
      for (const batch of input as Iterable<unknown[]>) {
        let out: unknown[] = [];
        for (let i = 0; i < batch.length; i++) {
          each(f, batch[i], out);
          if (out.length >= MAX_OUT_RECORDS) {
            yield out;
            out = [];
          }
        }
        if (out.length > 0) yield out;
      }
    })();
  };
}

function pushAll(what: string, r: unknown, out: unknown[]): void {
  if (Array.isArray(r)) for (let j = 0; j < r.length; j++) out.push(r[j]);
  else if (isIterable(r)) for (const y of r) out.push(y);
  else if (isThenable(r)) throw promiseFromSyncFunction(what);
  else throw notIterable(what, r);
}

async function pushAllAsync(what: string, r: unknown, out: unknown[]): Promise<void> {
  if (isThenable(r)) r = await r;
  if (isAsyncIterable(r)) for await (const y of r) out.push(y);
  else pushAll(what, r, out);
}

registerStep("map", recordStep(
  "map",
  (f, x, out) => {
    const r = f(x);
    if (isThenable(r)) throw promiseFromSyncFunction("map");
    out.push(r);
  },
  async (f, x, out) => {
    let r = f(x);
    if (isThenable(r)) r = await r;
    out.push(r);
  },
));

registerStep("filter", recordStep(
  "filter",
  (f, x, out) => {
    const keep = f(x);
    if (isThenable(keep)) throw promiseFromSyncFunction("filter");
    if (keep) out.push(x);
  },
  async (f, x, out) => {
    if (await f(x)) out.push(x);
  },
));

registerStep("flatMap", recordStep("flatMap", (f, x, out) => pushAll("flatMap", f(x), out), (f, x, out) => pushAllAsync("flatMap", f(x), out)));

// Pair helpers: the user function sees the value (or record), the key is carried along.
registerStep("mapValues", recordStep(
  "mapValues",
  (f, x, out) => {
    const [k, v] = x as [unknown, unknown];
    const r = f(v);
    if (isThenable(r)) throw promiseFromSyncFunction("mapValues");
    out.push([k, r]);
  },
  async (f, x, out) => {
    const [k, v] = x as [unknown, unknown];
    out.push([k, await f(v)]);
  },
));

registerStep("flatMapValues", recordStep(
  "flatMapValues",
  (f, x, out) => {
    const [k, v] = x as [unknown, unknown];
    const vs: unknown[] = [];
    pushAll("flatMapValues", f(v), vs);
    for (const y of vs) out.push([k, y]);
  },
  async (f, x, out) => {
    const [k, v] = x as [unknown, unknown];
    const vs: unknown[] = [];
    await pushAllAsync("flatMapValues", f(v), vs);
    for (const y of vs) out.push([k, y]);
  },
));

registerStep("keyBy", recordStep(
  "keyBy",
  (f, x, out) => {
    const k = f(x);
    if (isThenable(k)) throw promiseFromSyncFunction("keyBy");
    out.push([k, x]);
  },
  async (f, x, out) => {
    out.push([await f(x), x]);
  },
));

/** Function-free per-batch transforms (keys, values, zipWithIndex...). */
function batchStep(transform: (batch: unknown[], ctx: StepContext, state: { n: number }) => unknown[]) {
  return (input: BatchStream<unknown>, ctx: StepContext): BatchStream<unknown> => {
    const state = { n: 0 };
    if (isAsyncStream(input)) {
      return (async function* () {
        for await (const b of input) {
          const out = transform(b, ctx, state);
          if (out.length > 0) yield out;
        }
      })();
    }
    return (function* () {
      for (const b of input) {
        const out = transform(b, ctx, state);
        if (out.length > 0) yield out;
      }
    })();
  };
}

registerStep("keys", batchStep((b) => b.map((x) => (x as [unknown, unknown])[0])));
registerStep("values", batchStep((b) => b.map((x) => (x as [unknown, unknown])[1])));

/** zipWithIndex: `args.start` is the global index of this partition's first record. */
registerStep("zipWithIndex", batchStep((b, ctx, state) => {
  const start = (ctx.args as { start: number }).start;
  return b.map((x) => [x, start + state.n++]);
}));

/** zipWithUniqueId: record i of partition k among n partitions gets i*n + k. */
registerStep("zipWithUniqueId", batchStep((b, ctx, state) => {
  const n = (ctx.args as { numPartitions: number }).numPartitions;
  return b.map((x) => [x, state.n++ * n + ctx.partitionIndex]);
}));

/** The user's partition function, called lazily when the stream is first read. */
registerStep("mapPartitions", (input, ctx) => {
  const f = requireFn<(...a: unknown[]) => unknown>(ctx, "mapPartitions");
  const withIndex = (ctx.args as { withIndex?: boolean } | undefined)?.withIndex === true;
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
  if (isAsyncStream(input)) {
    return (async function* () {
      yield [await collectStream(input)];
    })();
  }
  return (function* () {
    yield [collectStream(input) as unknown[]];
  })();
});

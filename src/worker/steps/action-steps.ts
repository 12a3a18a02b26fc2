/**
 * Operators that end a task's pipeline for an action: each reduces a partition to a small
 * result (a count, a partial fold, the first n records...) that the driver combines.
 */
import { type BatchStream, isAsyncStream, isAsyncFunction, isThenable, collectStream } from "../batch-stream.js";
import { registerStep, requireFn, optionalFn, type StepContext, type StepOperator } from "./step-registry.js";
import { countRecords, pushRecords } from "./record-pipeline.js";
import { ValueMap } from "../../util/value-map.js";
import { formatRecord } from "../../util/format.js";
import { compareValues } from "../../util/ordering.js";
import { BoundedHeap } from "../../util/bounded-heap.js";
import { makeBucketFunction } from "../../util/histogram.js";
import { StatCounter } from "../../api/stat-counter.js";
import { HyperLogLog } from "../../util/hyperloglog.js";
import { OutputCommitter } from "../../io/output-commit.js";
import { TextPartWriter } from "../../io/text-writer.js";
import { ObjectPartWriter } from "../../io/object-file.js";

/**
 * Feeds every record to `each` and then emits `finish()`'s records as one batch. Stays
 * synchronous unless the stream or the user's function is asynchronous.
 */
function consume(
  input: BatchStream<unknown>,
  asyncFn: boolean,
  each: (x: unknown) => unknown,
  finish: () => unknown[],
): BatchStream<unknown> {
  if (asyncFn || isAsyncStream(input)) {
    return (async function* () {
      for await (const b of input as AsyncIterable<unknown[]>) {
        for (let i = 0; i < b.length; i++) {
          const r = each(b[i]);
          if (isThenable(r)) await r;
        }
      }
      yield finish();
    })();
  }
  return (function* () {
    pushRecords(input, each);
    yield finish();
  })();
}

type Fn2 = (a: unknown, b: unknown) => unknown;

/** Folds records into an accumulator with a user function that may be async. */
function foldWith(input: BatchStream<unknown>, ctx: StepContext, f: Fn2, start: { has: boolean; acc: unknown }, emptyResult: () => unknown[]) {
  const state = start;
  const async = isAsyncFunction(f);
  return consume(
    input,
    async,
    async
      ? async (x) => {
          state.acc = state.has ? await f(state.acc, x) : x;
          state.has = true;
        }
      : (x) => {
          state.acc = state.has ? f(state.acc, x) : x;
          state.has = true;
        },
    () => (state.has ? [state.acc] : emptyResult()),
  );
}

registerStep("count", (input) => {
  if (isAsyncStream(input)) {
    return (async function* () {
      let n = 0;
      for await (const b of input) n += b.length;
      yield [n];
    })();
  }
  return (function* () {
    yield [countRecords(input)];
  })();
});

/** The first `args.n` records; stops reading input as soon as it has them. */
registerStep("take", (input, ctx) => {
  const n = ctx.args.n;
  const trim = (b: unknown[], have: number) => (have + b.length > n ? b.slice(0, n - have) : b);
  if (isAsyncStream(input)) {
    return (async function* () {
      let have = 0;
      if (n <= 0) return;
      for await (const b of input) {
        const t = trim(b, have);
        have += t.length;
        yield t;
        if (have >= n) return;
      }
    })();
  }
  return (function* () {
    let have = 0;
    if (n <= 0) return;
    for (const b of input) {
      const t = trim(b, have);
      have += t.length;
      yield t;
      if (have >= n) return;
    }
  })();
});

/** reduce: a partition's partial result, or nothing for an empty partition. */
registerStep("reduce", (input, ctx) => foldWith(input, ctx, requireFn<Fn2>(ctx, "reduce"), { has: false, acc: undefined }, () => []));

/** fold / aggregate's seqOp: starts from the zero value (a fresh copy per task, as it was deserialized). */
registerStep("fold", (input, ctx) => {
  const zero = ctx.args.zero;
  return foldWith(input, ctx, requireFn<Fn2>(ctx, "fold"), { has: true, acc: zero }, () => [zero]);
});

registerStep("sum", (input) => {
  let total: number | bigint = 0;
  return consume(input, false, (x) => {
    // Mixed bigint/number sums would throw in JS; keep bigints exact when all values are bigints.
    total = typeof x === "bigint" && typeof total === "bigint" ? total + x
      : typeof x === "bigint" && total === 0 ? x
      : (total as number) + Number(x);
  }, () => [total]);
});

registerStep("foreach", (input, ctx) => {
  const f = requireFn<(x: unknown) => unknown>(ctx, "foreach");
  return consume(input, isAsyncFunction(f), (x) => f(x), () => []);
});

registerStep("foreachPartition", (input, ctx) => {
  const f = requireFn<(it: Iterable<unknown> | AsyncIterable<unknown>) => unknown>(ctx, "foreachPartition");
  return (async function* () {
    const records = isAsyncStream(input)
      ? (async function* () { for await (const b of input) yield* b; })()
      : (function* () { for (const b of input) yield* b; })();
    await f(records);
  })();
});

/** runJob: the user's function of the partition's records; its result is the task's one record. */
registerStep("applyPartition", (input, ctx) => {
  const f = requireFn<(it: Iterable<unknown>) => unknown>(ctx, "runJob");
  return (async function* () {
    const records = isAsyncStream(input) ? await collectStream(input) : collectStream(input) as unknown[];
    yield [await f(records)];
  })();
});

/** min / max with an optional key function: args.sign is 1 for max, -1 for min. */
registerStep("extreme", (input, ctx) => {
  const sign = ctx.args.sign;
  const key = optionalFn<(x: unknown) => unknown>(ctx);
  let has = false;
  let best: unknown;
  let bestKey: unknown;
  return consume(input, false, (x) => {
    const k = key ? key(x) : x;
    if (!has || sign * compareValues(k, bestKey) > 0) {
      best = x;
      bestKey = k;
      has = true;
    }
  }, () => (has ? [best] : []));
});

registerStep("countByValue", (input) => {
  const counts = new ValueMap<unknown, number>();
  return consume(input, false, (x) => {
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }, () => [...counts]);
});

/** The `args.n` smallest records by key (takeOrdered; top passes `args.descending`). */
registerStep("takeOrdered", (input, ctx) => {
  const { n, descending } = ctx.args;
  const key = optionalFn<(x: unknown) => unknown>(ctx);
  const cmp = key
    ? (a: unknown, b: unknown) => compareValues(key(a), key(b))
    : compareValues;
  const heap = new BoundedHeap<unknown>(n, descending ? (a, b) => cmp(b, a) : cmp);
  return consume(input, false, (x) => heap.push(x), () => heap.toSortedArray());
});

/** countApproxDistinct: a partition's HyperLogLog registers. */
registerStep("hyperLogLog", (input, ctx) => {
  const hll = new HyperLogLog(ctx.args.p);
  return consume(input, false, (x) => hll.add(x), () => [hll.registers]);
});

registerStep("stats", (input) => {
  const s = new StatCounter();
  return consume(input, false, (x) => s.merge(x as number), () => [s.toJSON()]);
});

/** histogram: counts per bucket; values outside the buckets (and NaN) are ignored, as PySpark. */
registerStep("histogram", (input, ctx) => {
  const { buckets, evenly } = ctx.args;
  const bucketOf = makeBucketFunction(buckets, evenly);
  const counts = new Array<number>(buckets.length - 1).fill(0);
  return consume(input, false, (x) => {
    const i = bucketOf(x as number);
    if (i >= 0) counts[i] = (counts[i] ?? 0) + 1;
  }, () => [counts]);
});

/** Writes the partition as a part file through the job's committer; emits nothing. */
function saveStep(open: (path: string) => { write(b: unknown[]): void; close(): void }): StepOperator<"saveText" | "saveObject"> {
  return (input, ctx) => {
    const { commit } = ctx.args;
    const committer = OutputCommitter.fromDescription(commit);
    const attempt = ctx.task.task.attemptNumber;
    const write = (writer: { write(b: unknown[]): void; close(): void }, b: unknown[]) => writer.write(b);
    const finish = (writer: { close(): void }) => {
      writer.close();
      committer.commitTask(ctx.partitionIndex, attempt);
    };
    if (isAsyncStream(input)) {
      return (async function* () {
        const w = open(committer.taskAttemptPath(ctx.partitionIndex, attempt));
        for await (const b of input) write(w, b);
        finish(w);
      })();
    }
    return (function* () {
      const w = open(committer.taskAttemptPath(ctx.partitionIndex, attempt));
      for (const b of input) write(w, b);
      finish(w);
    })();
  };
}

registerStep("saveText", (input, ctx) => {
  const { codec } = ctx.args;
  return saveStep((path) => {
    const w = new TextPartWriter(path, codec);
    return { write: (b) => w.write(b.map(formatRecord)), close: () => w.close() };
  })(input, ctx);
});

registerStep("saveObject", saveStep((path) => new ObjectPartWriter(path)));

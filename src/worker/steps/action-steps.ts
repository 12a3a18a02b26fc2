/**
 * Operators that end a task's pipeline for an action: each reduces a partition to a small
 * result (a count, a partial fold, the first n records...) that the driver combines.
 */
import { type BatchStream, isAsyncFunction, collectStream, mapBatches, reduceRecords, streamRecords } from "../batch-stream.js";
import { registerStep, requireFn, optionalFn, type StepOperator } from "./step-registry.js";
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

type Fn2 = (a: unknown, b: unknown) => unknown;

/** Folds records into an accumulator with a user function that may be async. */
function foldWith(input: BatchStream<unknown>, f: Fn2, state: { has: boolean; acc: unknown }, emptyResult: () => unknown[]) {
  const awaitEach = isAsyncFunction(f);
  const set = (v: unknown) => {
    state.acc = v;
    state.has = true;
  };
  return reduceRecords(input, (x) => {
    if (!state.has) return set(x);
    const r = f(state.acc, x);
    return awaitEach ? Promise.resolve(r).then(set) : set(r);
  }, () => (state.has ? [state.acc] : emptyResult()), { awaitEach });
}

registerStep("count", (input) => {
  let n = 0;
  return reduceRecords(input, () => {
    n++;
  }, () => [n], {
    batch: (b) => {
      n += b.length;
    },
  });
});

/** The first `args.n` records; stops reading input as soon as it has them. */
registerStep("take", (input, ctx) => {
  const n = ctx.args.n;
  let have = 0;
  return mapBatches(input, (b) => {
    const t = have + b.length > n ? b.slice(0, n - have) : b;
    have += t.length;
    return t;
  }, { done: () => have >= n });
});

/** reduce: a partition's partial result, or nothing for an empty partition. */
registerStep("reduce", (input, ctx) => foldWith(input, requireFn<Fn2>(ctx, "reduce"), { has: false, acc: undefined }, () => []));

/** fold / aggregate's seqOp: starts from the zero value (a fresh copy per task, as it was deserialized). */
registerStep("fold", (input, ctx) => {
  const zero = ctx.args.zero;
  return foldWith(input, requireFn<Fn2>(ctx, "fold"), { has: true, acc: zero }, () => [zero]);
});

registerStep("sum", (input) => {
  let total: number | bigint = 0;
  return reduceRecords(input, (x) => {
    // Mixed bigint/number sums would throw in JS; keep bigints exact when all values are bigints.
    total = typeof x === "bigint" && typeof total === "bigint" ? total + x
      : typeof x === "bigint" && total === 0 ? x
      : (total as number) + Number(x);
  }, () => [total]);
});

registerStep("foreach", (input, ctx) => {
  const f = requireFn<(x: unknown) => unknown>(ctx, "foreach");
  return reduceRecords(input, (x) => f(x), () => [], { awaitEach: isAsyncFunction(f) });
});

registerStep("foreachPartition", (input, ctx) => {
  const f = requireFn<(it: Iterable<unknown> | AsyncIterable<unknown>) => unknown>(ctx, "foreachPartition");
  return (async function* () {
    await f(streamRecords(input));
  })();
});

/** runJob: the user's function of the partition's records; its result is the task's one record. */
registerStep("applyPartition", (input, ctx) => {
  const f = requireFn<(it: Iterable<unknown>) => unknown>(ctx, "runJob");
  return (async function* () {
    yield [await f(await collectStream(input))];
  })();
});

/** min / max with an optional key function: args.sign is 1 for max, -1 for min. */
registerStep("extreme", (input, ctx) => {
  const sign = ctx.args.sign;
  const key = optionalFn<(x: unknown) => unknown>(ctx);
  let has = false;
  let best: unknown;
  let bestKey: unknown;
  return reduceRecords(input, (x) => {
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
  return reduceRecords(input, (x) => {
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
  return reduceRecords(input, (x) => heap.push(x), () => heap.toSortedArray());
});

/** countApproxDistinct: a partition's HyperLogLog registers. */
registerStep("hyperLogLog", (input, ctx) => {
  const hll = new HyperLogLog(ctx.args.p);
  return reduceRecords(input, (x) => hll.add(x), () => [hll.registers]);
});

registerStep("stats", (input) => {
  const s = new StatCounter();
  return reduceRecords(input, (x) => s.merge(x as number), () => [s.toJSON()]);
});

/** histogram: counts per bucket; values outside the buckets (and NaN) are ignored, as PySpark. */
registerStep("histogram", (input, ctx) => {
  const { buckets, evenly } = ctx.args;
  const bucketOf = makeBucketFunction(buckets, evenly);
  const counts = new Array<number>(buckets.length - 1).fill(0);
  return reduceRecords(input, (x) => {
    const i = bucketOf(x as number);
    if (i >= 0) counts[i] = (counts[i] ?? 0) + 1;
  }, () => [counts]);
});

/** Writes the partition as a part file through the job's committer; emits nothing. */
function saveStep(openPart: (path: string) => { write(b: unknown[]): void; close(): void }): StepOperator<"saveText" | "saveObject"> {
  return (input, ctx) => {
    const { commit } = ctx.args;
    const committer = OutputCommitter.fromDescription(commit);
    const attempt = ctx.task.task.attemptNumber;
    let writer: { write(b: unknown[]): void; close(): void } | undefined;
    const open = () => (writer ??= openPart(committer.taskAttemptPath(ctx.partitionIndex, attempt)));
    return mapBatches(input, (b) => {
      open().write(b);
      return undefined;
    }, {
      flush: () => {
        open().close();
        committer.commitTask(ctx.partitionIndex, attempt);
        return undefined;
      },
    });
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

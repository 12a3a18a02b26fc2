/**
 * Shuffle operators inside tasks: the map side's write (partition, combine, spill, commit)
 * and the reduce side's combine-by-key and sort, all bounded by the worker's memory budget.
 */
import { shuffleDirName } from "../../storage/local-layout.js";
import { type BatchStream, mapBatches, foldRecords, isAsyncStream } from "../batch-stream.js";
import { pushRecordsByBatch } from "./record-pipeline.js";
import { registerStep, requireFn, optionalFn, type StepContext } from "./step-registry.js";
import { ShuffleWriter } from "../../shuffle/shuffle-writer.js";
import { cloneValue } from "../../serde/value-codec.js";
import { batchCodecOf } from "../../serde/record-serializers.js";
import { ShuffleEmitter, type EmittedFrame } from "../../shuffle/shuffle-emitter.js";
import { ExternalCombiner } from "../../shuffle/external-combiner.js";
import { ExternalSorter } from "../../shuffle/external-sorter.js";
import { fastSortByKey } from "../../shuffle/string-key-sort.js";
import { SpilledGroup } from "../../shuffle/group-values.js";
import { roughHeapSize } from "../../shuffle/size-estimator.js";
import type { Aggregator } from "../../shuffle/aggregator.js";
import type { TaskResources } from "../../shuffle/task-resources.js";
import type { AggregatorSpec, PartitionerSpec } from "../../scheduler/step-args.js";
import { rangePartitionOf } from "../../api/partitioner.js";
import { compareValues } from "../../util/ordering.js";
import { join } from "node:path";
import { mkdirSync } from "node:fs";

type F1 = (a: unknown) => unknown;
type F2 = (a: unknown, b: unknown) => unknown;

/** Group-by lists: arrays while small, a SpilledGroup once a single key outgrows memory. */
export function groupAggregator(task: TaskResources): Aggregator {
  const limit = task.memoryBytes;
  const append = (a: unknown, b: unknown[]): unknown => {
    if (a instanceof SpilledGroup) {
      a.addAll(b);
      return a;
    }
    const arr = a as unknown[];
    const est = (arr.length + b.length) * (arr.length > 0 ? roughHeapSize(arr[0]) : 16);
    if (est > limit / 2) {
      const g = new SpilledGroup<unknown>(task.spillDir(), Math.max(1024, limit / 4), arr);
      g.addAll(b);
      task.onTaskEnd(() => g.dispose());
      return g;
    }
    for (let i = 0; i < b.length; i++) arr.push(b[i]);
    return arr;
  };
  // A spilled group stays where it is (its values are on disk already); spill runs refer to it by id.
  const live = new Map<number, SpilledGroup<unknown>>();
  let nextRef = 0;
  return {
    createCombiner: (v) => [v],
    mergeValue: (c, v) => append(c, [v]),
    // Streams a spilled side into the other instead of materializing it.
    mergeCombiners: (a, b) => {
      if (!(b instanceof SpilledGroup)) return append(a, b as unknown[]);
      if (!(a instanceof SpilledGroup)) return append(b, a as unknown[]);
      a.addAll(b);
      b.dispose();
      return a;
    },
    growsWithValues: true,
    toSpill: (c) => {
      if (!(c instanceof SpilledGroup)) return c;
      live.set(nextRef, c);
      return { spilledGroupRef: nextRef++ };
    },
    fromSpill: (c) => (Array.isArray(c) ? c : live.get((c as { spilledGroupRef: number }).spilledGroupRef)),
  };
}

export function buildAggregator(spec: AggregatorSpec, ctx: StepContext, op: string): Aggregator {
  switch (spec.kind) {
    case "reduce": {
      const f = requireFn<F2>(ctx, op);
      return { createCombiner: (v) => v, mergeValue: f, mergeCombiners: f, growsWithValues: false, mapSideCombineOptional: true };
    }
    case "fold": {
      const f = requireFn<F2>(ctx, op);
      // A fresh copy of the zero value per key: a mutable zero must not be shared.
      return { createCombiner: (v) => f(cloneValue(spec.zero), v), mergeValue: f, mergeCombiners: f, growsWithValues: false };
    }
    case "aggregate": {
      const seqOp = requireFn<F2>(ctx, op, 0);
      const combOp = requireFn<F2>(ctx, op, 1);
      return { createCombiner: (v) => seqOp(cloneValue(spec.zero), v), mergeValue: seqOp, mergeCombiners: combOp, growsWithValues: false };
    }
    case "combine":
      return {
        createCombiner: requireFn<F1>(ctx, op, 0),
        mergeValue: requireFn<F2>(ctx, op, 1),
        mergeCombiners: requireFn<F2>(ctx, op, 2),
        // A user's combiner may grow (lists, sets): count values to stay on the safe side.
        growsWithValues: true,
      };
    case "group":
      return groupAggregator(ctx.task);
    case "first":
      return { createCombiner: (v) => v, mergeValue: (c) => c, mergeCombiners: (a) => a, growsWithValues: false, mapSideCombineOptional: true };
  }
}

function partitionFunction(spec: PartitionerSpec, numPartitions: number, ctx: StepContext): ((key: unknown) => number) | "hash" {
  const mod = (h: number) => {
    const p = h % numPartitions;
    return p < 0 ? p + numPartitions : p;
  };
  switch (spec.kind) {
    case "hash":
      return "hash";
    case "direct":
      return (k) => mod(k as number);
    case "func": {
      const f = requireFn<(k: unknown) => number>(ctx, "partitionBy");
      return (k) => mod(Number(f(k)));
    }
    case "range": {
      const keyfunc = optionalFn<F1>(ctx);
      return (k) => rangePartitionOf(spec.bounds, spec.ascending, keyfunc, k);
    }
  }
}

/** A reduce-side buffer (combiner, sorter): takes the whole input, then streams its output. */
interface DrainingBuffer {
  insert(batch: unknown[]): void;
  output(): Iterable<unknown[]>;
  cleanup(): void;
}

/**
 * Feeds all of `input` to a new buffer, then streams its output, cleaning up however the
 * stream ends. Synchronous input (a shuffle read) gives synchronous output: a mapPartitions
 * after it then streams instead of gathering the whole partition.
 */
function drainThenStream(input: BatchStream<unknown>, open: () => DrainingBuffer): BatchStream<unknown> {
  let buf: DrainingBuffer | undefined;
  const opened = () => (buf ??= open());
  return mapBatches(input, (b) => {
    opened().insert(b);
    return undefined;
  }, { flush: () => opened().output(), close: () => buf?.cleanup() });
}

/** A map side's aggregator (if any) and partition function, from a shuffle step's arguments. */
function mapSideOf(ctx: StepContext<"shuffleWrite" | "shuffleEmit">): { agg: Aggregator | undefined; partitionOf: ((key: unknown) => number) | "hash" } {
  const { numPartitions, partitioner, aggregator } = ctx.args;
  // The partitioner's function (if any) comes after the aggregator's functions.
  const aggFnCount = aggregator ? { reduce: 1, fold: 1, aggregate: 2, combine: 3, group: 0, first: 0 }[aggregator.kind] : 0;
  const partCtx: StepContext = { ...ctx, fns: ctx.fns.slice(aggFnCount) };
  return { agg: aggregator ? buildAggregator(aggregator, ctx, "combineByKey") : undefined, partitionOf: partitionFunction(partitioner, numPartitions, partCtx) };
}

/**
 * The last step of a map task: writes the partition's [key, value] records as shuffle
 * output and emits its MapStatus.
 */
registerStep("shuffleWrite", (input, ctx) => {
  const { shuffleId, numPartitions } = ctx.args;
  const { agg, partitionOf } = mapSideOf(ctx);
  return (async function* () {
    const dir = join(ctx.task.runtime.settings.localDir, shuffleDirName(shuffleId));
    mkdirSync(dir, { recursive: true });
    const attempt = ctx.task.task.taskAttemptId;
    const w = new ShuffleWriter(dir, ctx.partitionIndex, attempt, numPartitions, partitionOf, ctx.task, agg, batchCodecOf(ctx.args.serializer));
    w.joinSide(ctx.args);
    try {
      const status = await foldRecords(input, (rec) => w.add(rec), () => w.commit(), { batch: (b) => w.write(b) });
      ctx.task.metrics.shuffleWriteBytes += status.segmentBytes.reduce((a, b) => a + b, 0);
      yield [status];
    } catch (err) {
      w.abort();
      throw err;
    }
  })();
});

/**
 * The last step of a map task whose shuffle Spark moves: the partition's [key, value]
 * records, routed and combined, as [reduce partition, frame] records (shuffle-emitter.ts).
 */
registerStep("shuffleEmit", (input, ctx) => {
  const { agg, partitionOf } = mapSideOf(ctx);
  const e = new ShuffleEmitter(ctx.args.shuffleId, ctx.args.numPartitions, partitionOf, ctx.task, agg, batchCodecOf(ctx.args.serializer));
  const taken = (): EmittedFrame[] => {
    const out = e.takeEmitted();
    for (const [, f] of out) ctx.task.metrics.shuffleWriteBytes += f.length;
    return out;
  };
  const finish = (): EmittedFrame[] => {
    e.finish();
    return taken();
  };
  if (isAsyncStream(input)) return mapBatches(input, (b) => (e.write(b), taken()), { flush: () => [finish()] });
  // A synchronous pipeline's records go down its fused chain into the emitter one by one (as into tspark's own shuffle writer).
  return (function* () {
    for (const _ of pushRecordsByBatch(input, (rec) => e.add(rec))) {
      const out = taken();
      if (out.length > 0) yield out;
    }
    const last = finish();
    if (last.length > 0) yield last;
  })();
});

/** Reduce side: combines [key, value] (or [key, combiner]) records by key. */
registerStep("combineByKey", (input, ctx) => {
  const { aggregator, combiners } = ctx.args;
  const agg = buildAggregator(aggregator, ctx, "combineByKey");
  return drainThenStream(input, () => {
    const c = new ExternalCombiner(agg, ctx.task, ctx.task.spillName);
    return { insert: (b) => c.insertAll(b, combiners), output: () => c.entries(), cleanup: () => c.cleanup() };
  });
});

/** Sorts a partition's [key, value] records by key (sortByKey, repartitionAndSortWithinPartitions). */
registerStep("sortByKey", (input, ctx) => {
  const { ascending } = ctx.args;
  const keyfunc = optionalFn<F1>(ctx);
  const cmpKeys = keyfunc ? (a: unknown, b: unknown) => compareValues(keyfunc(a), keyfunc(b)) : compareValues;
  const cmp = ascending
    ? (a: unknown, b: unknown) => cmpKeys((a as [unknown])[0], (b as [unknown])[0])
    : (a: unknown, b: unknown) => cmpKeys((b as [unknown])[0], (a as [unknown])[0]);
  // String keys sort by radix or with native `<` (string-key-sort.ts), not through compareValues.
  const fast = keyfunc ? undefined : (buffer: unknown[]) => fastSortByKey(buffer, !ascending, cmp);
  return drainThenStream(input, () => {
    const srt = new ExternalSorter<unknown>(cmp, ctx.task, ctx.task.spillName, fast);
    return { insert: (b) => srt.insertAll(b), output: () => srt.sorted(), cleanup: () => srt.cleanup() };
  });
});


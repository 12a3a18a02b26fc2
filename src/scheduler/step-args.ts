/**
 * The driver↔worker contract for plan steps: every operator's name and the arguments it
 * takes. The driver's StepSpec (api/rdd.ts), the plan's Step (plan.ts) and the worker's
 * registerStep (worker/steps/step-registry.ts) are all typed from this one map, so a step
 * built with a wrong or missing argument, or an operator reading one it is not sent, does
 * not compile. `undefined`: the operator takes no arguments.
 */
import type { CommitDescription } from "../io/output-commit.js";
import type { SerializerSpec } from "../serde/record-serializers.js";
import type { JoinSide } from "../shuffle/key-filter.js";

/** How a map task routes keys to partitions. */
export type PartitionerSpec =
  | { kind: "hash" }
  | { kind: "func" } // fns[0] is the user's partitionFunc
  | { kind: "direct" } // the key is the partition number
  | { kind: "range"; bounds: unknown[]; ascending: boolean }; // fns[0], if any, is keyfunc

/** How values combine; which of the step's functions play which role depends on the kind. */
export type AggregatorSpec =
  | { kind: "reduce" } // fns: [f]
  | { kind: "fold"; zero: unknown } // fns: [f]
  | { kind: "aggregate"; zero: unknown } // fns: [seqOp, combOp]
  | { kind: "combine" } // fns: [createCombiner, mergeValue, mergeCombiners]
  | { kind: "group" }
  | { kind: "first" }; // keeps one value per key (distinct)

/** A map side's shuffle: which one, into how many partitions, routed and combined how; as a join's side, its key filter's part. */
export interface ShuffleWriteArgs extends JoinSide {
  shuffleId: number;
  numPartitions: number;
  partitioner: PartitionerSpec;
  aggregator?: AggregatorSpec | undefined;
  /** The serializer of the shuffled RDD's records (none: tspark's own). */
  serializer?: SerializerSpec | undefined;
}

export interface StepArgs {
  // narrow transformations (worker/steps/narrow-steps.ts)
  map: undefined;
  flatMap: undefined;
  filter: undefined;
  mapValues: undefined;
  flatMapValues: undefined;
  keyBy: undefined;
  keys: undefined;
  values: undefined;
  glom: undefined;
  mapPartitions: { withIndex: boolean };
  /** The partition's first index: the counts of the partitions before it. */
  zipWithIndex: { start: number };
  zipWithUniqueId: { numPartitions: number };
  // pair operations (pair-steps.ts)
  pairWithNull: undefined;
  /** Which of the cogrouped RDDs the values come from. */
  tagValues: { tag: number };
  /** How many RDDs were cogrouped. */
  cogroupDispatch: { n: number };
  subtractDispatch: undefined;
  intersectDispatch: undefined;
  lookupKey: { key: unknown };
  roundRobinKey: undefined;
  reduceByKeyLocally: undefined;
  // pipe-step.ts, sample-steps.ts
  pipe: { command: string; env: Record<string, string>; checkCode: boolean };
  sample: { withReplacement: boolean; fraction: number; seed: number };
  sampleByKey: { withReplacement: boolean; fractions: Array<[unknown, number]>; seed: number };
  /** randomSplit: the records whose random number falls in [lb, ub). */
  rangeSample: { lb: number; ub: number; seed: number };
  /** sortByKey's range bounds: a partition's record count and a uniform sample of up to `size` of its keys. */
  sketchKeys: { size: number; seed: number };
  // shuffles (shuffle-steps.ts)
  shuffleWrite: ShuffleWriteArgs;
  /** The map side of a shuffle Spark moves: the same arguments, its output handed to the executor (spark/). */
  shuffleEmit: ShuffleWriteArgs;
  /** `combiners`: the input holds map-side combiners, not raw values. */
  combineByKey: { aggregator: AggregatorSpec; combiners: boolean };
  sortByKey: { ascending: boolean };
  // actions (action-steps.ts)
  count: undefined;
  take: { n: number };
  takeOrdered: { n: number; descending: boolean };
  reduce: undefined;
  fold: { zero: unknown };
  sum: undefined;
  /** max: 1, min: -1. */
  extreme: { sign: 1 | -1 };
  countByValue: undefined;
  foreach: undefined;
  foreachPartition: undefined;
  applyPartition: undefined;
  stats: undefined;
  /** Precision of countApproxDistinct's sketch. */
  hyperLogLog: { p: number };
  histogram: { buckets: number[]; evenly: boolean };
  saveText: { commit: CommitDescription; codec?: "gzip" | undefined };
  saveObject: { commit: CommitDescription };
}

export type StepOp = keyof StepArgs;

/** The `args` member of a step of `op`: required when the operator takes arguments, absent otherwise. */
export type ArgsOf<Op extends StepOp> = StepArgs[Op] extends undefined ? { args?: undefined } : { args: StepArgs[Op] };

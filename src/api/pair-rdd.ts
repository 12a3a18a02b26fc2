/**
 * The shuffle operations of the RDD API (PySpark's pair-RDD functions and the sorts).
 * They are added to RDD's prototype here, to keep rdd.ts about narrow steps and actions;
 * pair-only methods are typed on `this: RDD<[K, V]>`, so they exist only for pair RDDs.
 */
import { RDD, withStep, runJobOn, type StepSpec } from "./rdd.js";
import { ShuffledRDD, type AggregatorRef } from "./shuffled-rdd.js";
import { Partitioner, RangePartitioner, directPartition } from "./partitioner.js";
import type { PartitionPlan } from "../scheduler/plan.js";
import type { JobPlanner } from "../scheduler/job-planner.js";
import { planStep } from "./rdd.js";
import { portableHash } from "../shuffle/portable-hash.js";
import { compareValues } from "../util/ordering.js";
import { ValueMap } from "../util/value-map.js";
import { TsparkError } from "../errors.js";
import type { JoinHow } from "../worker/steps/pair-steps.js";

type PartitionFunc<K> = (key: K) => number;

declare module "./rdd.js" {
  interface RDD<T> {
    /**
     * Redistributes records by key into `numPartitions` partitions (a no-op when already partitioned so).
     *
     * @example
     * ```ts
     * const pairs = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map((x) => [x, x] as [number, number]);
     * const sets = await pairs.partitionBy(2).glom().collect();
     * sets[0]!.length + sets[1]!.length; // → 7
     * // Every key is in exactly one partition:
     * sets[0]!.some(([k]) => sets[1]!.some(([j]) => j === k)); // → false
     * ```
     */
    partitionBy<K, V>(this: RDD<[K, V]>, numPartitions?: number, partitionFunc?: PartitionFunc<K>): RDD<[K, V]>;
    /**
     * The generic per-key aggregation: `createCombiner(v)` starts a key's combiner,
     * `mergeValue(c, v)` adds a value, `mergeCombiners(c1, c2)` merges partial results.
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 2]]);
     * const lists = x.combineByKey((v) => [v], (c: number[], v) => [...c, v], (a, b) => a.concat(b));
     * (await lists.mapValues((vs) => vs.sort()).collect()).sort(); // → [["a", [1, 2]], ["b", [1]]]
     * ```
     */
    combineByKey<K, V, C>(this: RDD<[K, V]>, createCombiner: (v: V) => C, mergeValue: (c: C, v: V) => C, mergeCombiners: (a: C, b: C) => C, numPartitions?: number, partitionFunc?: PartitionFunc<K>): RDD<[K, C]>;
    /**
     * `sc.parallelize([["a", 1], ["b", 1], ["a", 1]]).reduceByKey((a, b) => a + b)` → ["a", 2], ["b", 1].
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
     * (await rdd.reduceByKey((a, b) => a + b).collect()).sort(); // → [["a", 2], ["b", 1]]
     * ```
     */
    reduceByKey<K, V>(this: RDD<[K, V]>, func: (a: V, b: V) => V, numPartitions?: number, partitionFunc?: PartitionFunc<K>): RDD<[K, V]>;
    /**
     * Aggregates each key's values from a fresh copy of `zeroValue` with `seqFunc`, merging with `combFunc`.
     *
     * @example
     * ```ts
     * const pairs = sc.parallelize<[string, number]>([["a", 3], ["b", 4], ["a", 2]]);
     * // [sum, count] per key:
     * const sumCount = pairs.aggregateByKey<string, number, [number, number]>([0, 0], ([s, n], v) => [s + v, n + 1], ([s1, n1], [s2, n2]) => [s1 + s2, n1 + n2]);
     * (await sumCount.collect()).sort(); // → [["a", [5, 2]], ["b", [4, 1]]]
     * ```
     */
    aggregateByKey<K, V, U>(this: RDD<[K, V]>, zeroValue: U, seqFunc: (acc: U, v: V) => U, combFunc: (a: U, b: U) => U, numPartitions?: number, partitionFunc?: PartitionFunc<K>): RDD<[K, U]>;
    /**
     * Folds each key's values, starting from `zeroValue` (applied once per key per partition).
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
     * (await rdd.foldByKey(0, (a, b) => a + b).collect()).sort(); // → [["a", 2], ["b", 1]]
     * ```
     */
    foldByKey<K, V>(this: RDD<[K, V]>, zeroValue: V, func: (a: V, b: V) => V, numPartitions?: number, partitionFunc?: PartitionFunc<K>): RDD<[K, V]>;
    /**
     * Groups the values of each key: `rdd.groupByKey().mapValues((vs) => [...vs])`. A key's values
     * that outgrow the worker's memory are spilled and streamed back when iterated.
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
     * (await rdd.groupByKey().mapValues((vs) => [...vs].length).collect()).sort(); // → [["a", 2], ["b", 1]]
     * (await rdd.groupByKey().mapValues((vs) => [...vs]).collect()).sort(); // → [["a", [1, 1]], ["b", [1]]]
     * ```
     */
    groupByKey<K, V>(this: RDD<[K, V]>, numPartitions?: number, partitionFunc?: PartitionFunc<K>): RDD<[K, Iterable<V>]>;
    /**
     * Groups records by `f(record)`: `sc.parallelize([1, 1, 2, 3, 5, 8]).groupBy((x) => x % 2)`.
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize([1, 1, 2, 3, 5, 8]);
     * const groups = await rdd.groupBy((x) => x % 2).mapValues((xs) => [...xs].sort()).collect();
     * groups.sort(); // → [[0, [2, 8]], [1, [1, 1, 3, 5]]]
     * ```
     */
    groupBy<K>(f: (x: T) => K, numPartitions?: number, partitionFunc?: PartitionFunc<K>): RDD<[K, Iterable<T>]>;
    /**
     * The distinct records (equal by value): `sc.parallelize([1, 1, 2, 3]).distinct()` → 1, 2, 3.
     *
     * @example
     * ```ts
     * (await sc.parallelize([1, 1, 2, 3]).distinct().collect()).sort(); // → [1, 2, 3]
     * await sc.parallelize([[1, "a"], [1, "a"], [1, "b"]]).distinct().count(); // → 2
     * ```
     */
    distinct(numPartitions?: number): RDD<T>;
    /**
     * Pairs of values for each key in both RDDs: `[k, [v, w]]`.
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
     * const y = sc.parallelize<[string, number]>([["a", 2], ["a", 3]]);
     * (await x.join(y).collect()).sort(); // → [["a", [1, 2]], ["a", [1, 3]]]
     * ```
     */
    join<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V, W]]>;
    /**
     * Like join, keeping keys missing from `other` with `null` for `w`.
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
     * const y = sc.parallelize<[string, number]>([["a", 2]]);
     * (await x.leftOuterJoin(y).collect()).sort(); // → [["a", [1, 2]], ["b", [4, null]]]
     * ```
     */
    leftOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V, W | null]]>;
    /**
     * Like join, keeping keys missing from this RDD with `null` for `v`.
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
     * const y = sc.parallelize<[string, number]>([["a", 2]]);
     * (await y.rightOuterJoin(x).collect()).sort(); // → [["a", [2, 1]], ["b", [null, 4]]]
     * ```
     */
    rightOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V | null, W]]>;
    /**
     * Like join, keeping keys missing from either side with `null`.
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
     * const y = sc.parallelize<[string, number]>([["a", 2], ["c", 8]]);
     * (await x.fullOuterJoin(y).collect()).sort(); // → [["a", [1, 2]], ["b", [4, null]], ["c", [null, 8]]]
     * ```
     */
    fullOuterJoin<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V | null, W | null]]>;
    /**
     * For each key in either RDD, the values from each: `[k, [vs, ws]]`.
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
     * const y = sc.parallelize<[string, number]>([["a", 2]]);
     * (await x.cogroup(y).mapValues(([vs, ws]) => [[...vs], [...ws]]).collect()).sort(); // → [["a", [[1], [2]]], ["b", [[4], []]]]
     * ```
     */
    cogroup<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, [V[], W[]]]>;
    /**
     * cogroup with any number of RDDs: `[k, [vs, ws, xs, ...]]`.
     *
     * @example
     * ```ts
     * const w = sc.parallelize<[string, number]>([["a", 5], ["b", 6]]);
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4]]);
     * const y = sc.parallelize<[string, number]>([["a", 2]]);
     * const z = sc.parallelize<[string, number]>([["b", 42]]);
     * const grouped = await w.groupWith(x, y, z).mapValues((groups) => groups.map((g) => [...g])).collect();
     * grouped.sort(); // → [["a", [[5], [1], [2], []]], ["b", [[6], [4], [], [42]]]]
     * ```
     */
    groupWith<K, V>(this: RDD<[K, V]>, ...others: Array<RDD<[K, unknown]>>): RDD<[K, unknown[][]]>;
    /**
     * Records of this RDD not in `other` (by value; duplicates of kept records are kept).
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4], ["b", 5], ["a", 3]]);
     * const y = sc.parallelize<[string, number]>([["a", 3], ["c", 0]]);
     * (await x.subtract(y).collect()).sort(); // → [["a", 1], ["b", 4], ["b", 5]]
     * ```
     */
    subtract(other: RDD<T>, numPartitions?: number): RDD<T>;
    /**
     * Pairs whose key does not occur in `other`.
     *
     * @example
     * ```ts
     * const x = sc.parallelize<[string, number]>([["a", 1], ["b", 4], ["b", 5], ["a", 2]]);
     * const y = sc.parallelize<[string, number]>([["a", 3], ["c", 0]]);
     * (await x.subtractByKey(y).collect()).sort(); // → [["b", 4], ["b", 5]]
     * ```
     */
    subtractByKey<K, V, W>(this: RDD<[K, V]>, other: RDD<[K, W]>, numPartitions?: number): RDD<[K, V]>;
    /**
     * The distinct records found in both RDDs.
     *
     * @example
     * ```ts
     * const a = sc.parallelize([1, 10, 2, 3, 4, 5]);
     * const b = sc.parallelize([1, 6, 2, 3, 7, 8]);
     * (await a.intersection(b).collect()).sort(); // → [1, 2, 3]
     * ```
     */
    intersection(other: RDD<T>, numPartitions?: number): RDD<T>;
    /**
     * Sorts by key, range-partitioned from a sample (each partition holds a key range, in
     * order): `rdd.sortByKey(false)` for descending; `keyfunc` maps keys before comparing.
     *
     * @example
     * ```ts
     * const tmp = sc.parallelize<[string, number]>([["a", 1], ["b", 2], ["1", 3], ["d", 4], ["2", 5]]);
     * await tmp.sortByKey().first(); // → ["1", 3]
     * await tmp.sortByKey(true, 1).collect(); // → [["1", 3], ["2", 5], ["a", 1], ["b", 2], ["d", 4]]
     * await tmp.sortByKey(false, 2).collect(); // → [["d", 4], ["b", 2], ["a", 1], ["2", 5], ["1", 3]]
     * const words = sc.parallelize<[string, number]>([["Mary", 1], ["had", 2], ["a", 3], ["little", 4], ["lamb", 5]]);
     * await words.sortByKey(true, 3, (k) => k.toLowerCase()).keys().collect(); // → ["a", "had", "lamb", "little", "Mary"]
     * ```
     */
    sortByKey<K, V>(this: RDD<[K, V]>, ascending?: boolean, numPartitions?: number, keyfunc?: (k: K) => unknown): RDD<[K, V]>;
    /**
     * Sorts records by `keyfunc(record)`: `rdd.sortBy((x) => x[1], false)`.
     *
     * @example
     * ```ts
     * const tmp = sc.parallelize<[string, number]>([["a", 1], ["b", 2], ["1", 3], ["d", 4], ["2", 5]]);
     * await tmp.sortBy((x) => x[0]).collect(); // → [["1", 3], ["2", 5], ["a", 1], ["b", 2], ["d", 4]]
     * await tmp.sortBy((x) => x[1], false).collect(); // → [["2", 5], ["d", 4], ["1", 3], ["b", 2], ["a", 1]]
     * ```
     */
    sortBy(keyfunc: (x: T) => unknown, ascending?: boolean, numPartitions?: number): RDD<T>;
    /**
     * Exactly `numPartitions` partitions of even size, by a shuffle.
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize([1, 2, 3, 4, 5, 6, 7], 4);
     * (await rdd.glom().collect()).length; // → 4
     * (await rdd.repartition(2).glom().collect()).length; // → 2
     * (await rdd.repartition(10).collect()).sort(); // → [1, 2, 3, 4, 5, 6, 7]
     * ```
     */
    repartition(numPartitions: number): RDD<T>;
    /**
     * Partitions by key, then sorts each partition by key (one shuffle).
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize<[number, number]>([[0, 5], [3, 8], [2, 6], [0, 8], [3, 8], [1, 3]]);
     * const parts = rdd.repartitionAndSortWithinPartitions(2, (k) => k % 2, true);
     * await parts.glom().collect(); // → [[[0, 5], [0, 8], [2, 6]], [[1, 3], [3, 8], [3, 8]]]
     * ```
     */
    repartitionAndSortWithinPartitions<K, V>(this: RDD<[K, V]>, numPartitions?: number, partitionFunc?: PartitionFunc<K>, ascending?: boolean, keyfunc?: (k: K) => unknown): RDD<[K, V]>;
    /**
     * Number of records per key, as a Map.
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
     * await rdd.countByKey(); // → new Map([["a", 2], ["b", 1]])
     * ```
     */
    countByKey<K, V>(this: RDD<[K, V]>): Promise<Map<K, number>>;
    /**
     * The pairs as a Map (a later pair wins for a repeated key).
     *
     * @example
     * ```ts
     * const m = await sc.parallelize<[number, number]>([[1, 2], [3, 4]]).collectAsMap();
     * m.get(1); // → 2
     * m.get(3); // → 4
     * ```
     */
    collectAsMap<K, V>(this: RDD<[K, V]>): Promise<Map<K, V>>;
    /**
     * The values of `key`; reads one partition when the RDD's partitioner is known.
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize(Array.from({ length: 1000 }, (_, i) => i)).keyBy((x) => x);
     * await rdd.lookup(42); // → [42]
     * await rdd.lookup(1024); // → []
     * const sorted = sc.parallelize<[string, number]>([["a", 1], ["b", 2], ["a", 3]]).sortByKey();
     * (await sorted.lookup("a")).sort(); // → [1, 3]
     * ```
     */
    lookup<K, V>(this: RDD<[K, V]>, key: K): Promise<V[]>;
    /**
     * reduceByKey, with the result merged on the driver as a Map (no shuffle).
     *
     * @example
     * ```ts
     * const rdd = sc.parallelize<[string, number]>([["a", 1], ["b", 1], ["a", 1]]);
     * await rdd.reduceByKeyLocally((a, b) => a + b); // → new Map([["a", 2], ["b", 1]])
     * ```
     */
    reduceByKeyLocally<K, V>(this: RDD<[K, V]>, func: (a: V, b: V) => V): Promise<Map<K, V>>;
  }
}

type AnyRDD = RDD<unknown>;
type PairRDD = RDD<[unknown, unknown]>;

function checkFn(f: unknown, what: string): void {
  if (typeof f !== "function") throw new TsparkError("INVALID_ARGUMENT", `${what} expects a function, got ${typeof f}`);
}

/** Default partitions of a shuffle: tspark.default.parallelism if set, else the largest parent's count. */
function defaultPartitions(rdds: AnyRDD[], numPartitions?: number): number {
  if (numPartitions !== undefined) {
    if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new TsparkError("INVALID_ARGUMENT", `numPartitions must be a positive integer, got ${numPartitions}`);
    return numPartitions;
  }
  const ctx = rdds[0]!.context;
  if (ctx.getConf().contains("tspark.default.parallelism")) return ctx.defaultParallelism;
  return Math.max(1, ...rdds.map((r) => r.getNumPartitions()));
}

function step(rdd: AnyRDD, s: StepSpec): AnyRDD {
  return withStep(rdd, s);
}

/** Combines by key through a shuffle, or in place when already partitioned that way. */
function combineWith(self: PairRDD, agg: AggregatorRef, mapSide: boolean, numPartitions: number | undefined, partitionFunc: Function | undefined, label: string): AnyRDD {
  const n = defaultPartitions([self], numPartitions);
  const partitioner = new Partitioner(n, (partitionFunc ?? portableHash) as (k: never) => number);
  if (partitioner.equals(self.partitioner)) {
    return step(self, { op: "combineByKey", fns: agg.fns, args: { aggregator: agg.spec, combiners: false }, label, preservesPartitioning: true });
  }
  return new ShuffledRDD(self.context, self, n, partitioner, { mapSideCombine: mapSide ? agg : undefined, reduceCombine: agg, label });
}

/**
 * A declared method's signature as the implementations below can meet it: its type
 * parameters at their bounds (K, V, C → unknown), `this` an RDD when not declared, and a
 * returned RDD's record type left out (the shuffle internals build untyped RDDs). The
 * parameters, `this` and the kind of result are checked.
 */
type AtBounds<F> = F extends (this: infer This, ...args: infer A) => infer R ? (this: unknown extends This ? AnyRDD : This, ...args: A) => R extends AnyRDD ? AnyRDD : R : never;

/** The methods this module declares on RDD (the `declare module` block above) and adds to its prototype. */
type PairMethodName = "partitionBy" | "combineByKey" | "reduceByKey" | "aggregateByKey" | "foldByKey" | "groupByKey" | "groupBy" | "distinct" | "cogroup" | "groupWith" | "subtractByKey" | "subtract" | "intersection" | "sortByKey" | "sortBy" | "repartition" | "repartitionAndSortWithinPartitions" | "countByKey" | "collectAsMap" | "lookup" | "reduceByKeyLocally" | "join" | "leftOuterJoin" | "rightOuterJoin" | "fullOuterJoin";

type PairMethods = { [M in PairMethodName]: AtBounds<RDD<unknown>[M]> };

function partitionBy(this: PairRDD, numPartitions?: number, partitionFunc?: Function): AnyRDD {
  const n = defaultPartitions([this], numPartitions);
  const partitioner = new Partitioner(n, (partitionFunc ?? portableHash) as (k: never) => number);
  if (partitioner.equals(this.partitioner)) return this;
  return new ShuffledRDD(this.context, this, n, partitioner, { label: "partitionBy" });
}

function combineByKey(this: PairRDD, createCombiner: Function, mergeValue: Function, mergeCombiners: Function, numPartitions?: number, partitionFunc?: Function): AnyRDD {
  [createCombiner, mergeValue, mergeCombiners].forEach((f) => checkFn(f, "combineByKey"));
  return combineWith(this, { spec: { kind: "combine" }, fns: [createCombiner, mergeValue, mergeCombiners] }, true, numPartitions, partitionFunc, "combineByKey");
}

function reduceByKey(this: PairRDD, func: Function, numPartitions?: number, partitionFunc?: Function): AnyRDD {
  checkFn(func, "reduceByKey");
  return combineWith(this, { spec: { kind: "reduce" }, fns: [func] }, true, numPartitions, partitionFunc, "reduceByKey");
}

function aggregateByKey(this: PairRDD, zeroValue: unknown, seqFunc: Function, combFunc: Function, numPartitions?: number, partitionFunc?: Function): AnyRDD {
  checkFn(seqFunc, "aggregateByKey");
  checkFn(combFunc, "aggregateByKey");
  return combineWith(this, { spec: { kind: "aggregate", zero: zeroValue }, fns: [seqFunc, combFunc] }, true, numPartitions, partitionFunc, "aggregateByKey");
}

function foldByKey(this: PairRDD, zeroValue: unknown, func: Function, numPartitions?: number, partitionFunc?: Function): AnyRDD {
  checkFn(func, "foldByKey");
  return combineWith(this, { spec: { kind: "fold", zero: zeroValue }, fns: [func] }, true, numPartitions, partitionFunc, "foldByKey");
}

function groupByKey(this: PairRDD, numPartitions?: number, partitionFunc?: Function): AnyRDD {
  // No map-side combine: grouping does not shrink the data, and raw pairs spill more simply.
  return combineWith(this, { spec: { kind: "group" }, fns: [] }, false, numPartitions, partitionFunc, "groupByKey");
}

function groupBy(this: AnyRDD, f: Function, numPartitions?: number, partitionFunc?: Function): AnyRDD {
  checkFn(f, "groupBy");
  return (this.keyBy(f as (x: unknown) => unknown) as PairRDD).groupByKey(numPartitions, partitionFunc as PartitionFunc<unknown>) as AnyRDD;
}

function distinct(this: AnyRDD, numPartitions?: number): AnyRDD {
  const keyed = step(this, { op: "pairWithNull", label: "distinct" }) as PairRDD;
  const combined = combineWith(keyed, { spec: { kind: "first" }, fns: [] }, true, numPartitions, undefined, "distinct");
  return step(combined, { op: "keys", label: "distinct" });
}

/**
 * Groups several pair RDDs by key into `[k, [values of each]]`: through one shuffle of their
 * tagged union, or with no shuffle when they are already partitioned alike.
 */
function cogroupAll(rdds: PairRDD[], numPartitions: number | undefined, label: string): AnyRDD {
  const n = defaultPartitions(rdds as AnyRDD[], numPartitions);
  const tagged = rdds.map((r, i) => step(r, { op: "tagValues", args: { tag: i }, label, preservesPartitioning: true }));
  const shared = rdds[0]!.partitioner;
  const group: AggregatorRef = { spec: { kind: "group" }, fns: [] };
  let grouped: AnyRDD;
  if (shared && shared.numPartitions === n && rdds.every((r) => shared.equals(r.partitioner))) {
    grouped = new CoPartitionedGroupRDD(tagged, shared, group, label);
  } else {
    const union = rdds[0]!.context.union(tagged);
    grouped = new ShuffledRDD(union.context, union, n, new Partitioner(n), { reduceCombine: group, label });
  }
  return step(grouped, { op: "cogroupDispatch", args: { n: rdds.length }, label, preservesPartitioning: true });
}

/** Groups co-partitioned RDDs partition by partition: no shuffle needed. */
class CoPartitionedGroupRDD extends RDD<unknown> {
  constructor(private readonly inputs: AnyRDD[], private readonly part: Partitioner, private readonly group: AggregatorRef, private readonly label: string) {
    super(inputs[0]!.context);
  }

  override get partitioner(): Partitioner {
    return this.part;
  }

  getNumPartitions(): number {
    return this.part.numPartitions;
  }

  parents(): AnyRDD[] {
    return this.inputs;
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    const combine: StepSpec = { op: "combineByKey", fns: this.group.fns, args: { aggregator: this.group.spec, combiners: false }, label: this.label };
    return { kind: "narrow", parent: { kind: "concat", parents: this.inputs.map((r) => r.planPartition(p, planner)) }, partitionIndex: p, steps: [planStep(combine, p, planner)] };
  }

  protected kindName(): string {
    return "CoGroupedRDD";
  }
}

function cogroup(this: PairRDD, other: PairRDD, numPartitions?: number): AnyRDD {
  return cogroupAll([this, other], numPartitions, "cogroup");
}

function groupWith(this: PairRDD, ...others: PairRDD[]): AnyRDD {
  return cogroupAll([this, ...others], undefined, "groupWith");
}

/** `rdd` partitioned by `part`: itself when it already is, else through a shuffle. */
function partitionedBy(rdd: PairRDD, part: Partitioner, label: string, keysFrom?: AnyRDD): AnyRDD {
  if (part.equals(rdd.partitioner)) return rdd;
  return new ShuffledRDD(rdd.context, rdd, part.numPartitions, part, { label, ...(keysFrom instanceof ShuffledRDD ? { keysFrom } : {}) });
}

/**
 * Joins are hash joins of co-partitioned inputs (not a cogroup): each side is shuffled by
 * the same partitioner unless it already is partitioned so (a side's own partitioner with
 * the right number of partitions is kept, so that side needs no shuffle), then each
 * partition loads `other`'s records into a table and streams this RDD's past it
 * (worker/steps/hash-join.ts). Put the smaller RDD as `other`: in an inner or right outer
 * join where both sides are shuffled, this RDD's shuffle may also drop the records whose key
 * `other` lacks (tspark's engine filters them by `other`'s keys, shuffle/key-filter.ts).
 */
function joinHow(how: JoinHow, label: string) {
  return function (this: PairRDD, other: PairRDD, numPartitions?: number): AnyRDD {
    const n = defaultPartitions([this, other], numPartitions);
    const part = [this.partitioner, other.partitioner].find((p) => p?.numPartitions === n) ?? new Partitioner(n);
    const right = partitionedBy(other, part, label);
    const left = partitionedBy(this, part, label, how === "inner" || how === "right" ? right : undefined);
    return new HashJoinedRDD(left, right, part, how);
  };
}

class HashJoinedRDD extends RDD<unknown> {
  constructor(private readonly left: AnyRDD, private readonly right: AnyRDD, private readonly part: Partitioner, private readonly how: JoinHow) {
    super(left.context);
  }

  override get partitioner(): Partitioner {
    return this.part;
  }

  getNumPartitions(): number {
    return this.part.numPartitions;
  }

  parents(): AnyRDD[] {
    return [this.left, this.right];
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    return { kind: "hash-join", left: this.left.planPartition(p, planner), right: this.right.planPartition(p, planner), how: this.how };
  }

  protected kindName(): string {
    return "HashJoinedRDD";
  }
}

const join = joinHow("inner", "join");
const leftOuterJoin = joinHow("left", "leftOuterJoin");
const rightOuterJoin = joinHow("right", "rightOuterJoin");
const fullOuterJoin = joinHow("full", "fullOuterJoin");

function subtractByKey(this: PairRDD, other: PairRDD, numPartitions?: number): AnyRDD {
  return step(cogroupAll([this, other], numPartitions, "subtractByKey"), { op: "subtractDispatch", label: "subtractByKey", preservesPartitioning: true });
}

function subtract(this: AnyRDD, other: AnyRDD, numPartitions?: number): AnyRDD {
  const a = step(this, { op: "pairWithNull", label: "subtract" }) as PairRDD;
  const b = step(other, { op: "pairWithNull", label: "subtract" }) as PairRDD;
  return step((a as PairRDD).subtractByKey(b, numPartitions ?? this.getNumPartitions()) as AnyRDD, { op: "keys", label: "subtract" });
}

function intersection(this: AnyRDD, other: AnyRDD, numPartitions?: number): AnyRDD {
  const a = step(this, { op: "pairWithNull", label: "intersection" }) as PairRDD;
  const b = step(other, { op: "pairWithNull", label: "intersection" }) as PairRDD;
  return step(cogroupAll([a, b], numPartitions, "intersection"), { op: "intersectDispatch", label: "intersection" });
}

/** Keys sampled per output partition for the range bounds, and in all at most (Spark's RangePartitioner's). */
const SAMPLED_KEYS_PER_PARTITION = 20;
const MAX_SAMPLED_KEYS = 1_000_000;

/**
 * Bounds for a range partitioner in one pass over the input, as Spark's RangePartitioner
 * (PySpark counts, then samples in a second pass): each input partition gives its record
 * count and a uniform sample of its keys, three times its share of 20 keys per output
 * partition; each sampled key stands for count / sample size records of its partition, and
 * the bounds are the keys at the weighted quantiles.
 */
async function rangeBounds(self: PairRDD, numPartitions: number, ascending: boolean, keyfunc: ((k: unknown) => unknown) | undefined): Promise<RangePartitioner> {
  if (numPartitions === 1) return new RangePartitioner([], ascending, keyfunc as (k: never) => unknown);
  const size = Math.ceil((3 * Math.min(SAMPLED_KEYS_PER_PARTITION * numPartitions, MAX_SAMPLED_KEYS)) / Math.max(1, self.getNumPartitions()));
  const sketches = (await step(self, { op: "sketchKeys", args: { size, seed: 1 }, label: "sortByKey" }).collect()) as Array<[number, unknown[]]>;
  const weighted: Array<[unknown, number]> = [];
  for (const [count, keys] of sketches) for (const k of keys) weighted.push([k, count / keys.length]);
  const cmp = keyfunc ? (a: unknown, b: unknown) => compareValues(keyfunc(a), keyfunc(b)) : compareValues;
  weighted.sort((a, b) => cmp(a[0], b[0]));
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  const bounds: unknown[] = [];
  let at = 0;
  let cumulative = 0;
  for (let i = 1; i < numPartitions && weighted.length > 0; i++) {
    const target = (total * i) / numPartitions;
    while (at < weighted.length - 1 && cumulative + weighted[at]![1] < target) cumulative += weighted[at++]![1];
    const s = weighted[at]![0];
    bounds.push(keyfunc ? keyfunc(s) : s);
  }
  return new RangePartitioner(bounds, ascending, keyfunc as (k: never) => unknown);
}

function sortByKey(this: PairRDD, ascending = true, numPartitions?: number, keyfunc?: (k: unknown) => unknown): AnyRDD {
  if (keyfunc !== undefined) checkFn(keyfunc, "sortByKey");
  const n = defaultPartitions([this], numPartitions);
  // Range bounds are keyfunc(key) values; the partitioner maps keys through keyfunc itself.
  const partitioner = () => rangeBounds(this, n, ascending, keyfunc);
  return new ShuffledRDD(this.context, this, n, partitioner, { sort: { ascending, keyfunc }, label: "sortByKey" });
}

function sortBy(this: AnyRDD, keyfunc: Function, ascending = true, numPartitions?: number): AnyRDD {
  checkFn(keyfunc, "sortBy");
  const keyed = this.keyBy(keyfunc as (x: unknown) => unknown) as PairRDD;
  return keyed.sortByKey(ascending, numPartitions).values() as AnyRDD;
}

function repartition(this: AnyRDD, numPartitions: number): AnyRDD {
  const n = defaultPartitions([this], numPartitions);
  const keyed = step(this, { op: "roundRobinKey", label: "repartition" });
  const shuffled = new ShuffledRDD(this.context, keyed, n, new Partitioner(n, directPartition as (k: never) => number), { label: "repartition" });
  return step(shuffled, { op: "values", label: "repartition" });
}

function repartitionAndSortWithinPartitions(this: PairRDD, numPartitions?: number, partitionFunc?: Function, ascending = true, keyfunc?: (k: unknown) => unknown): AnyRDD {
  const n = defaultPartitions([this], numPartitions);
  const partitioner = new Partitioner(n, (partitionFunc ?? portableHash) as (k: never) => number);
  return new ShuffledRDD(this.context, this, n, partitioner, { sort: { ascending, keyfunc }, label: "repartitionAndSortWithinPartitions" });
}

async function countByKey(this: PairRDD): Promise<Map<unknown, number>> {
  return this.keys().countByValue();
}

async function collectAsMap(this: PairRDD): Promise<Map<unknown, unknown>> {
  const m = new ValueMap<unknown, unknown>();
  for (const [k, v] of await this.collect()) m.set(k, v);
  return new Map(m.entries());
}

async function lookup(this: PairRDD, key: unknown): Promise<unknown[]> {
  const lookupStep: StepSpec = { op: "lookupKey", args: { key }, label: "lookup" };
  const p = this.partitioner;
  const parts = await runJobOn(this, [lookupStep], p ? [p.partition(key)] : undefined);
  return parts.flat();
}

async function reduceByKeyLocally(this: PairRDD, func: (a: unknown, b: unknown) => unknown): Promise<Map<unknown, unknown>> {
  checkFn(func, "reduceByKeyLocally");
  const parts = await runJobOn(this, [{ op: "reduceByKeyLocally", fns: [func], label: "reduceByKeyLocally" }]);
  const m = new ValueMap<unknown, unknown>();
  for (const part of parts) for (const [k, v] of part as Array<[unknown, unknown]>) m.set(k, m.has(k) ? func(m.get(k), v) : v);
  return new Map(m.entries());
}

// Every declared method, each implementation checked against its declared signature.
Object.assign(RDD.prototype, {
  partitionBy,
  combineByKey,
  reduceByKey,
  aggregateByKey,
  foldByKey,
  groupByKey,
  groupBy,
  distinct,
  cogroup,
  groupWith,
  subtractByKey,
  subtract,
  intersection,
  sortByKey,
  sortBy,
  repartition,
  repartitionAndSortWithinPartitions,
  countByKey,
  collectAsMap,
  lookup,
  reduceByKeyLocally,
  join,
  leftOuterJoin,
  rightOuterJoin,
  fullOuterJoin,
} satisfies PairMethods);

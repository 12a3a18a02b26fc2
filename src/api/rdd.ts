/**
 * The RDD: a lazy, immutable, partitioned collection described by its lineage. Narrow
 * transformations append a step to a pipeline (consecutive steps compose into one task
 * function, as PySpark's PipelinedRDD); actions plan one task per partition and run a job.
 */
import { cloneValue } from "../serde/value-codec.js";
import type { SparkContext } from "./context.js";
import type { PartitionPlan, Step } from "../scheduler/plan.js";
import type { StepArgs, StepOp, ArgsOf } from "../scheduler/step-args.js";
import type { JobPlanner } from "../scheduler/job-planner.js";
import { DESCRIBE, SHUFFLE_DEPENDENCY, PENDING_CHECKPOINT, walkLineage, type ShuffleDependency } from "../scheduler/lineage.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import { UNSHIPPABLE } from "../closure/hooks.js";
import { userCallSite } from "../util/call-site.js";
import { compareValues } from "../util/ordering.js";
import { ValueMap } from "../util/value-map.js";
import { StatCounter } from "./stat-counter.js";
import { HyperLogLog, precisionFor } from "../util/hyperloglog.js";
import { boundedEstimate, type BoundedDouble } from "./bounded-double.js";
import { histogramBucketsFromRange, validateBuckets, isEvenlySpaced } from "../util/histogram.js";
import { randomSeed, validateFraction, splitBounds, takeSampleFrom } from "../util/sampling.js";
import { OutputCommitter, partFileName, type CommitDescription } from "../io/output-commit.js";
import { join } from "node:path";
import { TsparkError } from "../errors.js";
import type { Partitioner } from "./partitioner.js";
import { RDDBarrier } from "./barrier.js";
import { StorageLevel } from "./storage-level.js";
import { blockIdOf } from "../storage/block-store.js";
import { checkedSerializer, type Serializer } from "./serializers.js";
import type { SerializerSpec } from "../serde/record-serializers.js";

/**
 * A pipelined operation as the driver holds it: functions not yet captured. Its `args` are
 * typed by `op` from the step contract (scheduler/step-args.ts): required when the operator
 * takes arguments, absent when it takes none.
 */
export type StepSpec = { [Op in StepOp]: StepSpecOf<Op> }[StepOp];

type StepSpecOf<Op extends StepOp> = {
  op: Op;
  /** The user's functions (captured when a job is planned). */
  fns?: Array<Function | undefined>;
  /** For toDebugString: the transformation's name. */
  label: string;
  /** Keys stay in their partitions (mapValues, filter...), so the parent's partitioner still holds. */
  preservesPartitioning?: boolean;
  /** The step runs in a barrier stage (rdd.barrier().mapPartitions). */
  barrier?: boolean;
} & (ArgsOf<Op> | PerPartitionArgs<Op>);

/** Parameters that differ per partition: a function of the partition index. */
type PerPartitionArgs<Op extends StepOp> = { perPartitionArgs: (partition: number) => StepArgs[Op]; args?: undefined };

type Awaitable<T> = T | Promise<T>;
type MaybeAsyncIterable<T> = Iterable<T> | AsyncIterable<T>;

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) throw new TsparkError("INVALID_ARGUMENT", `${what} must be a non-negative integer, got ${n}`);
  return n;
}

function assertFunction(f: unknown, what: string): void {
  if (typeof f !== "function") throw new TsparkError("INVALID_ARGUMENT", `${what} expects a function, got ${f === null ? "null" : typeof f}`);
}

export abstract class RDD<T> {
  /** Unique id of this RDD within its SparkContext. */
  readonly id: number;
  /** Where the user's program created this RDD, e.g. `wordcount.ts:12`. */
  readonly callSite: string;
  private _name: string | undefined;
  /** Marks RDDs as driver-only for the closure layer (SPARK-5063). */
  readonly [UNSHIPPABLE] = "an RDD";
  /** Only for typing: the element type. */
  declare readonly __elementType?: T;

  /**
   * @internal RDDs are made by a SparkContext and by transformations.
   * @param context The SparkContext the RDD belongs to.
   */
  constructor(readonly context: SparkContext) {
    this.id = runtimeOf(context).newRddId();
    this.callSite = userCallSite();
  }

  // ---- lineage (implemented by each kind of RDD) ----

  /**
   * Number of partitions.
   *
   * @example
   * ```ts
   * sc.parallelize([1, 2, 3, 4], 2).getNumPartitions(); // → 2
   * ```
   */
  abstract getNumPartitions(): number;
  /** @internal The RDDs this one is computed from. */
  abstract parents(): RDD<unknown>[];
  /** The plan that computes partition `p` from this RDD's inputs. */
  protected abstract computePlan(p: number, planner: JobPlanner): PartitionPlan;

  private storageLevel: StorageLevel = StorageLevel.NONE;
  private serializer_: Serializer | undefined;

  /** @internal Whether planPartition is computePlan (the RDD is neither kept nor checkpointed). */
  plansAsComputed(): boolean {
    return this.checkpoint_ === undefined && this.storageLevel === StorageLevel.NONE;
  }

  /**
   * The plan a task runs for partition `p`: for a persisted RDD, read the cached block when
   * a worker has it, else compute it (and keep it).
   * @internal
   */
  planPartition(p: number, planner: JobPlanner): PartitionPlan {
    // Through planNode: the parents' plans are planned within this one, and a lineage may be thousands deep.
    return planner.planNode(() => this.planPartitionNow(p, planner));
  }

  private planPartitionNow(p: number, planner: JobPlanner): PartitionPlan {
    const cp = this.checkpoint_;
    if (cp && runtimeOf(this.context).onSpark) {
      // Spark keeps and checkpoints it (spark/driver/spark-storage.ts); once it has, the JVM's RDD reads the checkpoint and nothing here computes it.
      const { useMemory, useDisk } = this.storageLevel;
      return { kind: "cached", blockId: blockIdOf(this.id, p), level: { useMemory, useDisk }, compute: cp.done ? { kind: "empty" } : this.computePlan(p, planner), checkpoint: cp.local ? "local" : "reliable", serializer: this.serializerSpec(planner) };
    }
    const compute: PartitionPlan = this.checkpoint_?.file
      ? { kind: "object-file", paths: [join(this.checkpoint_.file, partFileName(p))] }
      : this.computePlan(p, planner);
    if (this.storageLevel === StorageLevel.NONE) return compute;
    const { useMemory, useDisk } = this.storageLevel;
    return { kind: "cached", blockId: blockIdOf(this.id, p), level: { useMemory, useDisk }, compute, serializer: this.serializerSpec(planner) };
  }

  /**
   * Keeps the partitions once computed, so later actions reuse them: MEMORY_ONLY (default),
   * MEMORY_AND_DISK or DISK_ONLY. A persisted RDD ends a pipeline.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize(["b", "a", "c"]).persist(StorageLevel.MEMORY_AND_DISK);
   * rdd.getStorageLevel() === StorageLevel.MEMORY_AND_DISK; // → true
   * await rdd.count(); // → 3
   * ```
   */
  persist(level: StorageLevel = StorageLevel.MEMORY_ONLY): this {
    if (!(level instanceof StorageLevel)) throw new TsparkError("INVALID_ARGUMENT", "persist expects a StorageLevel");
    if (this.storageLevel !== StorageLevel.NONE && !this.storageLevel.equals(level)) {
      throw new TsparkError("INVALID_ARGUMENT", `Cannot change the storage level of RDD ${this.id} from ${this.storageLevel} to ${level}; unpersist() it first`);
    }
    this.storageLevel = level;
    if (level !== StorageLevel.NONE) runtimeOf(this.context).persisted(this);
    return this;
  }

  /**
   * persist(StorageLevel.MEMORY_ONLY).
   *
   * @example
   * ```ts
   * const words = sc.parallelize(["a", "b", "a"]).cache();
   * await words.count(); // → 3
   * await words.distinct().count(); // → 2
   * ```
   */
  cache(): this {
    return this.persist(StorageLevel.MEMORY_ONLY);
  }

  /**
   * Forgets the cached partitions (in every worker and on disk).
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2]).cache();
   * await rdd.count(); // → 2
   * rdd.unpersist().isCached; // → false
   * ```
   */
  unpersist(blocking = false): this {
    void blocking; // removal is immediate: workers drop blocks before their next task
    if (this.storageLevel !== StorageLevel.NONE) runtimeOf(this.context).unpersist(this.id);
    this.storageLevel = StorageLevel.NONE;
    return this;
  }

  /**
   * The storage level (StorageLevel.NONE when not persisted).
   *
   * @example
   * ```ts
   * sc.parallelize([1]).getStorageLevel() === StorageLevel.NONE; // → true
   * sc.parallelize([1]).cache().getStorageLevel() === StorageLevel.MEMORY_ONLY; // → true
   * ```
   */
  getStorageLevel(): StorageLevel {
    return this.storageLevel;
  }

  protected checkpoint_: { local: boolean; file: string | undefined; done: boolean; writing?: boolean } | undefined;

  /**
   * Saves this RDD to the checkpoint directory (sc.setCheckpointDir) after the next job that
   * computes it, then reads it from there: its lineage is cut. Persist it first to avoid
   * computing it twice.
   *
   * @example
   * ```ts
   * sc.setCheckpointDir("checkpoints");
   * const rdd = sc.parallelize([1, 2, 3]).map((x) => x * 2);
   * rdd.checkpoint();
   * await rdd.collect(); // → [2, 4, 6]
   * rdd.isCheckpointed(); // → true
   * ```
   */
  checkpoint(): void {
    if (this.context.getCheckpointDir() === undefined) throw new TsparkError("INVALID_ARGUMENT", "Checkpoint directory has not been set in the SparkContext (sc.setCheckpointDir)");
    this.checkpoint_ ??= { local: false, file: undefined, done: false };
  }

  /**
   * Marks the RDD as checkpointed once computed, keeping it in the workers' block stores
   * (MEMORY_AND_DISK) instead of a reliable directory. Unlike Spark, its lineage is kept, so
   * a lost block is recomputed rather than failing the job.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2, 3]).map((x) => x + 1);
   * rdd.localCheckpoint();
   * await rdd.sum(); // → 9
   * rdd.isLocallyCheckpointed(); // → true
   * ```
   */
  localCheckpoint(): void {
    if (this.storageLevel === StorageLevel.NONE) this.persist(StorageLevel.MEMORY_AND_DISK);
    this.checkpoint_ ??= { local: true, file: undefined, done: false };
  }

  /**
   * Whether the RDD has been checkpointed (written after a job).
   *
   * @example
   * ```ts
   * sc.setCheckpointDir("checkpoints");
   * const rdd = sc.parallelize([1, 2]);
   * rdd.checkpoint();
   * rdd.isCheckpointed(); // → false
   * await rdd.count(); // → 2
   * rdd.isCheckpointed(); // → true
   * ```
   */
  isCheckpointed(): boolean {
    return this.checkpoint_?.done === true;
  }

  /**
   * Whether localCheckpoint() has taken effect (after a job computed the RDD).
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2]);
   * rdd.localCheckpoint();
   * await rdd.count(); // → 2
   * rdd.isLocallyCheckpointed(); // → true
   * ```
   */
  isLocallyCheckpointed(): boolean {
    return this.checkpoint_?.local === true && this.checkpoint_.done;
  }

  /**
   * The directory this RDD was checkpointed to.
   *
   * @example
   * ```ts
   * import { resolve } from "node:path";
   * sc.setCheckpointDir("checkpoints");
   * const rdd = sc.parallelize([1, 2]);
   * rdd.checkpoint();
   * await rdd.count(); // → 2
   * rdd.getCheckpointFile()!.startsWith(resolve("checkpoints")); // → true
   * ```
   */
  getCheckpointFile(): string | undefined {
    return this.checkpoint_?.file;
  }

  /** @internal The RDDs this one is computed from, as the scheduler sees them (none once checkpointed). */
  dependencies(): RDD<unknown>[] {
    return this.checkpoint_?.file ? [] : this.parents();
  }

  // RDDs are the scheduler's lineage nodes (scheduler/lineage.ts); these two are its hooks.

  /** @internal The shuffle this RDD reads, if it does (ShuffledRDD). */
  [SHUFFLE_DEPENDENCY](): ShuffleDependency | undefined {
    return undefined;
  }

  /** @internal The write of a checkpoint() not done yet (run after a job computed the RDD): a job of its own, then the lineage is cut. */
  [PENDING_CHECKPOINT](): (() => Promise<void>) | undefined {
    const cp = this.checkpoint_;
    if (cp === undefined || cp.done || cp.writing) return undefined;
    return async () => {
      if (cp.done) return;
      const runtime = runtimeOf(this.context);
      if (runtime.onSpark) {
        // Spark wrote it at the end of the job (as PySpark's checkpoint); the JVM says whether, and where.
        const state = await runtime.sparkCheckpoint(this.id);
        if (state.done) {
          cp.file = cp.local ? undefined : state.file;
          cp.done = true;
        }
        return;
      }
      if (cp.local) {
        cp.done = true; // the job that just ran stored every partition as a block
        return;
      }
      const dir = join(this.context.getCheckpointDir()!, `rdd-${this.id}`);
      cp.writing = true; // the writing job itself must not start another checkpoint
      try {
        await this.saveWith(dir, "", (commit) => ({ op: "saveObject", args: { commit }, label: "checkpoint" }));
      } finally {
        cp.writing = false;
      }
      cp.file = dir;
      cp.done = true;
    };
  }

  /**
   * Whether this RDD is persisted (cache()/persist()).
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2]);
   * rdd.isCached; // → false
   * rdd.cache().isCached; // → true
   * ```
   */
  get isCached(): boolean {
    return this.storageLevel !== StorageLevel.NONE;
  }
  /** Kind name shown by toDebugString, e.g. "ParallelCollectionRDD". */
  protected abstract kindName(): string;
  /** Extra detail for toDebugString (the pipelined steps, the input path...). */
  protected detail(): string {
    return "";
  }

  /** @internal Work this RDD needs done before its partitions can be planned (e.g. zipWithIndex's counts). */
  async prepare(): Promise<void> {}

  /**
   * The RDD's name, if set.
   *
   * @example
   * ```ts
   * sc.parallelize([1]).name(); // → undefined
   * sc.parallelize([1]).setName("numbers").name(); // → "numbers"
   * ```
   */
  name(): string | undefined {
    return this._name;
  }

  /**
   * `rdd.setName("clean lines")` — shown by toDebugString and the UI.
   *
   * @example
   * ```ts
   * const lines = sc.parallelize(["a", "", "b"]).filter((l) => l.length > 0).setName("clean lines");
   * lines.name(); // → "clean lines"
   * ```
   */
  setName(name: string): this {
    this._name = name;
    return this;
  }

  /**
   * How this RDD's records are written where they are shuffled or cached on disk, instead of
   * the context's serializer (PySpark's per-RDD serializer): TsparkSerializer (the default,
   * keeping classes), JSONSerializer, or a CustomSerializer of your own encoding. Returns
   * this RDD. Readers need no setting: each batch says how it was written.
   *
   * @example
   * ```ts
   * const counts = sc.parallelize(["a", "b", "a"]).map((w) => [w, 1] as [string, number]).withSerializer(new JSONSerializer({ batchSize: 100 }));
   * counts.serializer instanceof JSONSerializer; // → true
   * await counts.reduceByKey((x, y) => x + y).sortByKey().collect(); // → [["a", 2], ["b", 1]]
   * ```
   */
  withSerializer(serializer: Serializer<T>): this {
    this.serializer_ = checkedSerializer(serializer) as Serializer;
    return this;
  }

  /**
   * The serializer of this RDD's records: its own (withSerializer), else the context's.
   *
   * @example
   * ```ts
   * sc.parallelize([1]).serializer === sc.serializer; // → true
   * ```
   */
  get serializer(): Serializer {
    return this.serializer_ ?? this.context.serializer;
  }

  /** @internal What plans say of this RDD's serializer (undefined: tspark's own, with its default batches). */
  serializerSpec(planner: JobPlanner): SerializerSpec | undefined {
    const spec = this.serializer.specOf(planner, this.context.batchSize);
    return spec.kind === "tspark" && spec.batchSize === undefined ? undefined : spec;
  }

  /**
   * The partitioner, when the RDD's keys are known to be partitioned by one.
   *
   * @example
   * ```ts
   * sc.parallelize([1, 2]).partitioner; // → undefined
   * sc.parallelize<[string, number]>([["a", 1]]).partitionBy(3).partitioner!.numPartitions; // → 3
   * ```
   */
  get partitioner(): Partitioner | undefined {
    return undefined;
  }

  /** @internal What this RDD is, as toDebugString's lines and the UI's DAG give it: "PipelinedRDD[2] map -> filter at app.ts:3". */
  [DESCRIBE](): string {
    const name = this._name ? `${this._name} ` : "";
    const detail = this.detail();
    const kind = this.checkpoint_?.file ? "ReliableCheckpointRDD" : this.kindName();
    return `${name}${kind}[${this.id}] ${detail}${detail ? " " : ""}at ${this.callSite}`;
  }

  /**
   * A description of the lineage; pipelined steps, which run as one function per task,
   * are listed together on one line.
   * ```ts
   * sc.parallelize([1, 2]).map((x) => x * 2).filter((x) => x > 2).toDebugString()
   * // (2) PipelinedRDD[2] map -> filter at app.ts:3 []
   * //  |  ParallelCollectionRDD[0] parallelize at app.ts:3 []
   * ```
   *
   * @example
   * ```ts
   * const doubled = sc.parallelize([1, 2]).map((x) => x * 2).filter((x) => x > 2);
   * console.log(doubled.toDebugString());
   * ```
   */
  toDebugString(): string {
    const lines: string[] = [];
    // Depth first with an explicit stack (a lineage may be thousands of RDDs deep): an RDD's line, then each parent's in order.
    const todo: Array<[r: RDD<unknown>, indent: string, head: string]> = [[this as RDD<unknown>, "", `(${this.getNumPartitions()}) `]];
    for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
      const [r, indent, head] = next;
      const level = r.storageLevel === StorageLevel.NONE ? "" : String(r.storageLevel);
      lines.push(`${indent}${head}${r[DESCRIBE]()} [${level}]`);
      const parents = r.dependencies();
      for (let i = parents.length - 1; i >= 0; i--) {
        const p = parents[i]!;
        // A shuffle starts a new stage: its parent is drawn one level in, as Spark does.
        todo.push(r.isShuffleBoundary() ? [p, indent + "   ", `+-(${p.getNumPartitions()}) `] : [p, indent, " |  "]);
      }
    }
    return lines.join("\n");
  }

  /** Whether this RDD reads a shuffle (its parents run in an earlier stage). */
  protected isShuffleBoundary(): boolean {
    return false;
  }

  // ---- narrow transformations ----

  /**
   * `sc.parallelize([1, 2, 3]).map((x) => x * 2)` → 2, 4, 6. An async function is awaited.
   *
   * @example
   * ```ts
   * await sc.parallelize(["b", "a", "c"]).map((x) => [x, 1]).collect(); // → [["b", 1], ["a", 1], ["c", 1]]
   * await sc.parallelize([1, 2]).map(async (x) => x * 10).collect(); // → [10, 20]
   * ```
   */
  map<U>(f: (x: T) => U): RDD<Awaited<U>> {
    assertFunction(f, "map");
    return withStep(this, { op: "map", fns: [f], label: "map" });
  }

  /**
   * `sc.parallelize(["a b", "c"]).flatMap((l) => l.split(" "))` → "a", "b", "c".
   *
   * @example
   * ```ts
   * await sc.parallelize([2, 3, 4]).flatMap((x) => Array.from({ length: x - 1 }, (_, i) => i + 1)).collect(); // → [1, 1, 2, 1, 2, 3]
   * await sc.parallelize(["a b", "c"]).flatMap((line) => line.split(" ")).collect(); // → ["a", "b", "c"]
   * ```
   */
  flatMap<U>(f: (x: T) => Awaitable<MaybeAsyncIterable<U>>): RDD<U> {
    assertFunction(f, "flatMap");
    return withStep(this, { op: "flatMap", fns: [f], label: "flatMap" });
  }

  /**
   * `sc.parallelize([1, 2, 3, 4]).filter((x) => x % 2 === 0)` → 2, 4.
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3, 4, 5]).filter((x) => x % 2 === 0).collect(); // → [2, 4]
   * ```
   */
  filter(f: (x: T) => unknown): RDD<T> {
    assertFunction(f, "filter");
    return withStep(this, { op: "filter", fns: [f], label: "filter", preservesPartitioning: true });
  }

  /**
   * Applies `f` to each partition's records (an iterable) as a whole.
   * `sc.parallelize([1, 2, 3, 4], 2).mapPartitions(function* (it) { let s = 0; for (const x of it) s += x; yield s; })` → 3, 7.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2, 3, 4], 2);
   * await rdd.mapPartitions(function* (it) {
   *   let sum = 0;
   *   for (const x of it) sum += x;
   *   yield sum;
   * }).collect(); // → [3, 7]
   * ```
   */
  mapPartitions<U>(f: (it: Iterable<T>) => Awaitable<MaybeAsyncIterable<U>>, preservesPartitioning = false): RDD<U> {
    assertFunction(f, "mapPartitions");
    return withStep(this, { op: "mapPartitions", fns: [f], args: { withIndex: false }, label: "mapPartitions", preservesPartitioning });
  }

  /**
   * Like mapPartitions, with the partition's index: `rdd.mapPartitionsWithIndex((i, it) => [i])`.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2, 3, 4], 4);
   * await rdd.mapPartitionsWithIndex((index, it) => [index]).sum(); // → 6
   * ```
   */
  mapPartitionsWithIndex<U>(f: (index: number, it: Iterable<T>) => Awaitable<MaybeAsyncIterable<U>>, preservesPartitioning = false): RDD<U> {
    assertFunction(f, "mapPartitionsWithIndex");
    return withStep(this, { op: "mapPartitions", fns: [f], args: { withIndex: true }, label: "mapPartitionsWithIndex", preservesPartitioning });
  }

  /**
   * Each partition as one array: `sc.parallelize([1, 2, 3, 4], 2).glom().collect()` → [[1, 2], [3, 4]].
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3, 4], 2).glom().collect(); // → [[1, 2], [3, 4]]
   * ```
   */
  glom(): RDD<T[]> {
    return withStep(this, { op: "glom", label: "glom" });
  }

  /**
   * Pairs each record with a key: `sc.parallelize([1, 2]).keyBy((x) => x * x)` → [1, 1], [4, 2].
   *
   * @example
   * ```ts
   * await sc.parallelize([0, 1, 2]).keyBy((x) => x * x).collect(); // → [[0, 0], [1, 1], [4, 2]]
   * ```
   */
  keyBy<K>(f: (x: T) => K): RDD<[Awaited<K>, T]> {
    assertFunction(f, "keyBy");
    return withStep(this, { op: "keyBy", fns: [f], label: "keyBy" });
  }

  /**
   * The keys of a pair RDD.
   *
   * @example
   * ```ts
   * await sc.parallelize<[number, number]>([[1, 2], [3, 4]]).keys().collect(); // → [1, 3]
   * ```
   */
  keys<K, V>(this: RDD<[K, V]>): RDD<K> {
    return withStep(this, { op: "keys", label: "keys" });
  }

  /**
   * The values of a pair RDD.
   *
   * @example
   * ```ts
   * await sc.parallelize<[number, number]>([[1, 2], [3, 4]]).values().collect(); // → [2, 4]
   * ```
   */
  values<K, V>(this: RDD<[K, V]>): RDD<V> {
    return withStep(this, { op: "values", label: "values" });
  }

  /**
   * `sc.parallelize([["a", [1, 2]]]).mapValues((v) => v.length)` → ["a", 2].
   *
   * @example
   * ```ts
   * const fruit = sc.parallelize<[string, string[]]>([["a", ["apple", "banana", "lemon"]], ["b", ["grapes"]]]);
   * await fruit.mapValues((v) => v.length).collect(); // → [["a", 3], ["b", 1]]
   * ```
   */
  mapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => U): RDD<[K, Awaited<U>]> {
    assertFunction(f, "mapValues");
    return withStep(this, { op: "mapValues", fns: [f], label: "mapValues", preservesPartitioning: true });
  }

  /**
   * `sc.parallelize([["a", "x y"]]).flatMapValues((v) => v.split(" "))` → ["a", "x"], ["a", "y"].
   *
   * @example
   * ```ts
   * const x = sc.parallelize<[string, string[]]>([["a", ["x", "y", "z"]], ["b", ["p", "r"]]]);
   * await x.flatMapValues((v) => v).collect(); // → [["a", "x"], ["a", "y"], ["a", "z"], ["b", "p"], ["b", "r"]]
   * ```
   */
  flatMapValues<K, V, U>(this: RDD<[K, V]>, f: (v: V) => Awaitable<MaybeAsyncIterable<U>>): RDD<[K, U]> {
    assertFunction(f, "flatMapValues");
    return withStep(this, { op: "flatMapValues", fns: [f], label: "flatMapValues", preservesPartitioning: true });
  }

  /**
   * Pipes each partition through an external command (run by /bin/sh): records are written
   * to its stdin one per line, its stdout lines are the result.
   * `sc.parallelize(["b", "a"], 1).pipe("sort")` → "a", "b".
   *
   * @example
   * ```ts
   * await sc.parallelize(["1", "2", "", "3"]).pipe("cat").collect(); // → ["1", "2", "", "3"]
   * await sc.parallelize(["b", "a"], 1).pipe("sort").collect(); // → ["a", "b"]
   * ```
   */
  pipe(command: string, env: Record<string, string> = {}, checkCode = false): RDD<string> {
    if (typeof command !== "string" || command.length === 0) throw new TsparkError("INVALID_ARGUMENT", "pipe expects a command string");
    return withStep(this, { op: "pipe", args: { command, env, checkCode }, label: "pipe" });
  }

  /**
   * A random sample: each record kept with probability `fraction` (without replacement), or
   * a Poisson(fraction) number of times (with replacement). Deterministic for a given seed.
   *
   * @example
   * ```ts
   * const rdd = sc.range(0, 100, 1, 4);
   * const n = await rdd.sample(false, 0.1, 81).count(); // about 10, the same for every run with seed 81
   * n === (await rdd.sample(false, 0.1, 81).count()); // → true
   * ```
   */
  sample(withReplacement: boolean, fraction: number, seed?: number): RDD<T> {
    validateFraction(withReplacement, fraction);
    return withStep(this, { op: "sample", args: { withReplacement, fraction, seed: seed ?? randomSeed() }, label: "sample", preservesPartitioning: true });
  }

  /**
   * A sample of a pair RDD with a fraction per key (stratified sampling):
   * `rdd.sampleByKey(false, { a: 0.1, b: 0.5 }, 7)`; every key present needs a fraction.
   *
   * @example
   * ```ts
   * const pairs = sc.parallelize(Array.from({ length: 1000 }, (_, i) => [i % 2 === 0 ? "a" : "b", i] as [string, number]), 2);
   * const sample = await pairs.sampleByKey(false, { a: 0.1, b: 0.5 }, 2).countByKey();
   * sample.get("a")! < sample.get("b")!; // → true
   * ```
   */
  sampleByKey<K, V>(this: RDD<[K, V]>, withReplacement: boolean, fractions: Map<K, number> | Record<string, number>, seed?: number): RDD<[K, V]> {
    const entries = fractions instanceof Map ? [...fractions] : Object.entries(fractions);
    for (const [, f] of entries) validateFraction(withReplacement, f);
    return withStep(this, { op: "sampleByKey", args: { withReplacement, fractions: entries, seed: seed ?? randomSeed() }, label: "sampleByKey", preservesPartitioning: true });
  }

  /**
   * Splits into RDDs with sizes roughly proportional to `weights` (normalized), disjoint and
   * together covering every record. `rdd.randomSplit([2, 3], 17)`.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize(Array.from({ length: 500 }, (_, i) => i), 1);
   * const [a, b] = rdd.randomSplit([2, 3], 17);
   * (await a.count()) + (await b.count()); // → 500
   * (await a.intersection(b).count()); // → 0
   * ```
   */
  randomSplit(weights: number[], seed?: number): RDD<T>[] {
    const s = seed ?? randomSeed();
    return splitBounds(weights).map(([lb, ub]) => withStep<T>(this, { op: "rangeSample", args: { lb, ub, seed: s }, label: "randomSplit" }));
  }

  /**
   * Pairs each record with its index (ordered by partition, then position). Runs a job to
   * count the partitions when the RDD is first computed (PySpark runs it immediately).
   *
   * @example
   * ```ts
   * await sc.parallelize(["a", "b", "c", "d"], 3).zipWithIndex().collect(); // → [["a", 0], ["b", 1], ["c", 2], ["d", 3]]
   * ```
   */
  zipWithIndex(): RDD<[T, number]> {
    return new ZipWithIndexRDD<T>(this);
  }

  /**
   * Marks the next mapPartitions as a barrier stage: its tasks start together and can wait for each other.
   *
   * @example
   * ```ts
   * const sizes = sc.parallelize([1, 2, 3, 4], 2).barrier().mapPartitions(async function* (it) {
   *   const n = [...it].length;
   *   await BarrierTaskContext.get()!.barrier(); // every task of the stage gets here before any goes on
   *   yield n;
   * });
   * await sizes.collect(); // → [2, 2]
   * ```
   */
  barrier(): RDDBarrier<T> {
    return new RDDBarrier<T>(this);
  }

  /**
   * Whether this RDD's stage (up to the previous shuffle) must run as a barrier stage.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2]);
   * rdd.isBarrier(); // → false
   * rdd.barrier().mapPartitions((it) => it).isBarrier(); // → true
   * ```
   */
  isBarrier(): boolean {
    // A walk of the stage, not a recursion: a stage's lineage may be thousands of RDDs deep.
    for (const r of walkLineage<RDD<unknown>>(this as RDD<unknown>, { order: "pre", descend: (r) => !r.isShuffleBoundary() })) {
      if (r instanceof PipelinedRDD && r.steps.some((s) => s.barrier)) return true;
    }
    return false;
  }

  /**
   * Pairs each record with a unique id: record i of partition k (of n) gets i * n + k. No job needed.
   *
   * @example
   * ```ts
   * await sc.parallelize(["a", "b", "c", "d", "e"], 3).zipWithUniqueId().collect(); // → [["a", 0], ["b", 1], ["c", 4], ["d", 2], ["e", 5]]
   * ```
   */
  zipWithUniqueId(): RDD<[T, number]> {
    const n = this.getNumPartitions();
    return withStep(this, { op: "zipWithUniqueId", args: { numPartitions: n }, label: "zipWithUniqueId" });
  }

  /**
   * The records of both RDDs (duplicates kept): `a.union(b)`.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 1, 2, 3]);
   * await rdd.union(rdd).collect(); // → [1, 1, 2, 3, 1, 1, 2, 3]
   * ```
   */
  union<U>(other: RDD<U>): RDD<T | U> {
    return new UnionRDD<T | U>(this.context, [this as RDD<T | U>, other as RDD<T | U>]);
  }

  /**
   * Pairs the i-th records of two RDDs with the same number of partitions and of records in
   * each partition: `a.zip(b)`.
   *
   * @example
   * ```ts
   * const x = sc.parallelize([0, 1, 2, 3, 4]);
   * const y = sc.parallelize([1000, 1001, 1002, 1003, 1004]);
   * await x.zip(y).collect(); // → [[0, 1000], [1, 1001], [2, 1002], [3, 1003], [4, 1004]]
   * ```
   */
  zip<U>(other: RDD<U>): RDD<[T, U]> {
    if (this.getNumPartitions() !== other.getNumPartitions()) {
      throw new TsparkError("INVALID_ARGUMENT", `Can only zip RDDs with the same number of partitions (${this.getNumPartitions()} vs ${other.getNumPartitions()})`);
    }
    return new ZippedRDD<T, U>(this, other);
  }

  /**
   * Every pair [a, b] of a record of this RDD and a record of `other`.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2]);
   * (await rdd.cartesian(rdd).collect()).sort(); // → [[1, 1], [1, 2], [2, 1], [2, 2]]
   * ```
   */
  cartesian<U>(other: RDD<U>): RDD<[T, U]> {
    return new CartesianRDD<T, U>(this, other);
  }

  /**
   * Reduces the number of partitions to `numPartitions` by merging neighbours, without a
   * shuffle; `shuffle = true` redistributes records evenly instead (as repartition).
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3, 4, 5], 3).glom().collect(); // → [[1], [2, 3], [4, 5]]
   * await sc.parallelize([1, 2, 3, 4, 5], 3).coalesce(1).glom().collect(); // → [[1, 2, 3, 4, 5]]
   * ```
   */
  coalesce(numPartitions: number, shuffle = false): RDD<T> {
    positiveInt(numPartitions, "coalesce numPartitions");
    if (numPartitions < 1) throw new TsparkError("INVALID_ARGUMENT", "coalesce needs at least 1 partition");
    if (shuffle) return this.repartition(numPartitions);
    return new CoalescedRDD<T>(this, numPartitions);
  }

  // ---- actions ----

  /**
   * All records, in partition order. `await sc.parallelize([1, 2]).collect()` → [1, 2].
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3], 2).map((x) => x * x).collect(); // → [1, 4, 9]
   * ```
   */
  async collect(): Promise<T[]> {
    const parts = await runJobOn(this, []);
    const out: T[] = [];
    for (const p of parts) for (const r of p) out.push(r as T);
    return out;
  }

  /**
   * Streams the records, fetching one partition at a time (so only one partition is held on
   * the driver; `prefetchPartitions` fetches the next while the current one is consumed).
   * `for await (const x of rdd.toLocalIterator()) ...`
   *
   * @example
   * ```ts
   * const seen: number[] = [];
   * for await (const x of sc.parallelize([1, 2, 3, 4, 5], 3).toLocalIterator()) seen.push(x);
   * seen; // → [1, 2, 3, 4, 5]
   * ```
   */
  async *toLocalIterator(prefetchPartitions = false): AsyncGenerator<T, void, undefined> {
    const n = this.getNumPartitions();
    let pending: Promise<unknown[][]> | undefined = n > 0 ? runJobOn(this, [], [0]) : undefined;
    for (let p = 0; p < n; p++) {
      const parts = await pending!;
      pending = p + 1 < n && prefetchPartitions ? runJobOn(this, [], [p + 1]) : undefined;
      for (const r of parts[0]!) yield r as T;
      if (p + 1 < n && !pending) pending = runJobOn(this, [], [p + 1]);
    }
  }

  /**
   * Number of records.
   *
   * @example
   * ```ts
   * await sc.parallelize([2, 3, 4]).count(); // → 3
   * ```
   */
  async count(): Promise<number> {
    const parts = await runJobOn(this, [{ op: "count", label: "count" }]);
    return parts.reduce((s, p) => s + (p[0] as number), 0);
  }

  /**
   * The first `num` records. Scans one partition first, then more (as PySpark) until it
   * has enough, so it does not compute the whole RDD.
   *
   * @example
   * ```ts
   * await sc.parallelize([2, 3, 4, 5, 6]).cache().take(2); // → [2, 3]
   * await sc.parallelize([2, 3, 4, 5, 6]).take(10); // → [2, 3, 4, 5, 6]
   * await sc.range(0, 100, 1, 100).filter((x) => x > 90).take(3); // → [91, 92, 93]
   * ```
   */
  async take(num: number): Promise<T[]> {
    positiveInt(num, "take num");
    const items: T[] = [];
    const total = this.getNumPartitions();
    let scanned = 0;
    while (items.length < num && scanned < total) {
      let tryParts = 1;
      if (scanned > 0) {
        // Grow like PySpark: 4x when nothing was found yet, else estimate from the yield so far (×1.5).
        tryParts = items.length === 0 ? scanned * 4 : Math.floor((1.5 * num * scanned) / items.length) - scanned;
        tryParts = Math.min(Math.max(tryParts, 1), scanned * 4);
      }
      const left = num - items.length;
      const parts = Array.from({ length: Math.min(tryParts, total - scanned) }, (_, i) => scanned + i);
      const res = await runJobOn(this, [{ op: "take", args: { n: left }, label: "take" }], parts);
      for (const p of res) for (const r of p) if (items.length < num) items.push(r as T);
      scanned += parts.length;
    }
    return items;
  }

  /**
   * The first record; an error for an empty RDD.
   *
   * @example
   * ```ts
   * await sc.parallelize([2, 3, 4]).first(); // → 2
   * await sc.emptyRDD().first().catch((e: Error) => e.message); // → "RDD is empty"
   * ```
   */
  async first(): Promise<T> {
    const rs = await this.take(1);
    if (rs.length === 0) throw new TsparkError("EMPTY_COLLECTION", "RDD is empty");
    return rs[0]!;
  }

  /**
   * Whether the RDD has no records (stops at the first record found).
   *
   * @example
   * ```ts
   * await sc.emptyRDD().isEmpty(); // → true
   * await sc.parallelize([1]).isEmpty(); // → false
   * ```
   */
  async isEmpty(): Promise<boolean> {
    return this.getNumPartitions() === 0 || (await this.take(1)).length === 0;
  }

  /**
   * The `num` smallest records, by `key` when given. `rdd.takeOrdered(3, (x) => -x)` gives
   * the three largest.
   *
   * @example
   * ```ts
   * await sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7]).takeOrdered(6); // → [1, 2, 3, 4, 5, 6]
   * await sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7], 2).takeOrdered(6, (x) => -x); // → [10, 9, 7, 6, 5, 4]
   * ```
   */
  async takeOrdered(num: number, key?: (x: T) => unknown): Promise<T[]> {
    return this.ordered(num, key, false);
  }

  /**
   * The `num` largest records, largest first, by `key` when given.
   *
   * @example
   * ```ts
   * await sc.parallelize([10, 4, 2, 12, 3]).top(1); // → [12]
   * await sc.parallelize([2, 3, 4, 5, 6], 2).top(2); // → [6, 5]
   * await sc.parallelize([10, 4, 2, 12, 3]).top(3, (x) => String(x)); // → [4, 3, 2]
   * ```
   */
  async top(num: number, key?: (x: T) => unknown): Promise<T[]> {
    return this.ordered(num, key, true);
  }

  private async ordered(num: number, key: ((x: T) => unknown) | undefined, descending: boolean): Promise<T[]> {
    positiveInt(num, descending ? "top num" : "takeOrdered num");
    if (num === 0) return [];
    if (key !== undefined) assertFunction(key, descending ? "top" : "takeOrdered");
    const parts = await runJobOn(this, [{ op: "takeOrdered", fns: [key], args: { n: num, descending }, label: descending ? "top" : "takeOrdered" }]);
    const cmp = key ? (a: unknown, b: unknown) => compareValues(key(a as T), key(b as T)) : compareValues;
    const all = parts.flat() as T[];
    all.sort(descending ? (a, b) => cmp(b, a) : cmp);
    return all.slice(0, num);
  }

  /**
   * A sample of exactly `num` records (fewer if the RDD is smaller), as PySpark's takeSample:
   * count, sample with a fraction sized to succeed with high probability, retry if short.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
   * (await rdd.takeSample(true, 20, 1)).length; // → 20
   * (await rdd.takeSample(false, 5, 2)).length; // → 5
   * (await rdd.takeSample(false, 15, 3)).length; // → 10
   * ```
   */
  async takeSample(withReplacement: boolean, num: number, seed?: number): Promise<T[]> {
    return takeSampleFrom<T>({
      count: () => this.count(),
      collect: () => this.collect(),
      sampleCollect: (w, f, s) => this.sample(w, f, s).collect(),
    }, withReplacement, num, seed);
  }

  /**
   * Reduces the records with an associative, commutative `f`; an error for an empty RDD.
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3, 4, 5]).reduce((a, b) => a + b); // → 15
   * await sc.parallelize([1, 2, 3, 4, 5], 10).reduce((a, b) => a + b); // → 15
   * await sc.emptyRDD<number>().reduce((a, b) => a + b).catch((e: Error) => e.message); // → "Can not reduce() empty RDD"
   * ```
   */
  async reduce(f: (a: T, b: T) => T): Promise<T> {
    assertFunction(f, "reduce");
    const parts = await runJobOn(this, [{ op: "reduce", fns: [f], label: "reduce" }]);
    const partials = parts.flat() as T[];
    if (partials.length === 0) throw new TsparkError("EMPTY_COLLECTION", "Can not reduce() empty RDD");
    let acc = partials[0] as T;
    for (let i = 1; i < partials.length; i++) acc = await f(acc, partials[i] as T);
    return acc;
  }

  /**
   * Like reduce, combining partial results in a tree of the given depth. With one driver and
   * local workers the partials are few, so they are combined on the driver; the result is
   * the same as PySpark's.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10);
   * await rdd.treeReduce((a, b) => a + b); // → -5
   * await rdd.treeReduce((a, b) => a + b, 5); // → -5
   * ```
   */
  async treeReduce(f: (a: T, b: T) => T, depth = 2): Promise<T> {
    if (depth < 1) throw new TsparkError("INVALID_ARGUMENT", `Depth cannot be smaller than 1 but got ${depth}`);
    return this.reduce(f);
  }

  /**
   * Folds each partition starting from `zeroValue`, then folds the partial results, also
   * starting from `zeroValue` (as PySpark: the zero is applied once per partition and once more).
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3, 4, 5]).fold(0, (a, b) => a + b); // → 15
   * ```
   */
  async fold(zeroValue: T, op: (a: T, b: T) => T): Promise<T> {
    assertFunction(op, "fold");
    const parts = await runJobOn(this, [{ op: "fold", fns: [op], args: { zero: zeroValue }, label: "fold" }]);
    let acc = cloneValue(zeroValue, "fold's zero value");
    for (const p of parts) acc = await op(acc, p[0] as T);
    return acc;
  }

  /**
   * Aggregates each partition with `seqOp` from a copy of `zeroValue`, then combines the
   * partial results with `combOp`. `rdd.aggregate([0, 0], ([s, n], x) => [s + x, n + 1], ([a, b], [c, d]) => [a + c, b + d])`.
   *
   * @example
   * ```ts
   * const seqOp = ([sum, n]: [number, number], x: number): [number, number] => [sum + x, n + 1];
   * const combOp = ([s1, n1]: [number, number], [s2, n2]: [number, number]): [number, number] => [s1 + s2, n1 + n2];
   * await sc.parallelize([1, 2, 3, 4]).aggregate([0, 0], seqOp, combOp); // → [10, 4]
   * await sc.emptyRDD<number>().aggregate([0, 0], seqOp, combOp); // → [0, 0]
   * ```
   */
  async aggregate<U>(zeroValue: U, seqOp: (acc: U, x: T) => U, combOp: (a: U, b: U) => U): Promise<U> {
    assertFunction(seqOp, "aggregate seqOp");
    assertFunction(combOp, "aggregate combOp");
    const parts = await runJobOn(this, [{ op: "fold", fns: [seqOp], args: { zero: zeroValue }, label: "aggregate" }]);
    let acc = cloneValue(zeroValue, "aggregate's zero value");
    for (const p of parts) acc = await combOp(acc, p[0] as U);
    return acc;
  }

  /**
   * aggregate, with the partials combined in a tree of the given depth (see treeReduce).
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10);
   * await rdd.treeAggregate(0, (a, b) => a + b, (a, b) => a + b); // → -5
   * await rdd.treeAggregate(0, (a, b) => a + b, (a, b) => a + b, 5); // → -5
   * ```
   */
  async treeAggregate<U>(zeroValue: U, seqOp: (acc: U, x: T) => U, combOp: (a: U, b: U) => U, depth = 2): Promise<U> {
    if (depth < 1) throw new TsparkError("INVALID_ARGUMENT", `Depth cannot be smaller than 1 but got ${depth}`);
    return this.aggregate(zeroValue, seqOp, combOp);
  }

  /**
   * Sum of the records (numbers; bigints stay exact). `sc.parallelize([1, 2, 3]).sum()` → 6.
   *
   * @example
   * ```ts
   * await sc.parallelize([1.0, 2.0, 3.0]).sum(); // → 6
   * await sc.parallelize([2n ** 64n, 1n]).sum(); // → 18446744073709551617n
   * ```
   */
  sum(this: RDD<number>): Promise<number>;
  sum(this: RDD<bigint>): Promise<bigint>;
  async sum(this: RDD<number> | RDD<bigint>): Promise<number | bigint> {
    const parts = await runJobOn(this as RDD<unknown>, [{ op: "sum", label: "sum" }]);
    let total: number | bigint = 0;
    for (const p of parts) {
      const s = p[0] as number | bigint;
      // An empty partition sums to the number 0: neutral, so bigint totals stay bigints.
      if (s === 0) continue;
      total = typeof s === "bigint" && typeof total === "bigint" ? total + s : typeof s === "bigint" && total === 0 ? s : Number(total) + Number(s);
    }
    return total;
  }

  /**
   * The largest record (by `key` when given); an error for an empty RDD.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1.0, 5.0, 43.0, 10.0]);
   * await rdd.max(); // → 43
   * await rdd.max((x) => String(x)); // → 5
   * ```
   */
  async max(key?: (x: T) => unknown): Promise<T> {
    return this.extreme(1, key);
  }

  /**
   * The smallest record (by `key` when given); an error for an empty RDD.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([2.0, 5.0, 43.0, 10.0]);
   * await rdd.min(); // → 2
   * await rdd.min((x) => String(x)); // → 10
   * ```
   */
  async min(key?: (x: T) => unknown): Promise<T> {
    return this.extreme(-1, key);
  }

  private async extreme(sign: 1 | -1, key?: (x: T) => unknown): Promise<T> {
    if (key !== undefined) assertFunction(key, sign > 0 ? "max" : "min");
    const parts = await runJobOn(this, [{ op: "extreme", fns: [key], args: { sign }, label: sign > 0 ? "max" : "min" }]);
    const candidates = parts.flat() as T[];
    if (candidates.length === 0) throw new TsparkError("EMPTY_COLLECTION", `${sign > 0 ? "max" : "min"}() of an empty RDD`);
    let best = candidates[0] as T;
    for (const c of candidates.slice(1)) {
      const d = key ? compareValues(key(c), key(best)) : compareValues(c, best);
      if (sign * d > 0) best = c;
    }
    return best;
  }

  /**
   * How many times each distinct record occurs, as a Map (records equal by value are one key).
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 1, 2, 2], 2).countByValue(); // → new Map([[1, 2], [2, 3]])
   * ```
   */
  async countByValue(): Promise<Map<T, number>> {
    const parts = await runJobOn(this, [{ op: "countByValue", label: "countByValue" }]);
    const merged = new ValueMap<T, number>();
    for (const p of parts) for (const [k, n] of p as Array<[T, number]>) merged.set(k, (merged.get(k) ?? 0) + n);
    return new Map(merged.entries());
  }

  /**
   * Runs `f` on every record, in the workers (for side effects).
   *
   * @example
   * ```ts
   * const total = sc.accumulator(0);
   * await sc.parallelize([1, 2, 3, 4, 5]).foreach((x) => total.add(x));
   * total.value; // → 15
   * ```
   */
  async foreach(f: (x: T) => unknown): Promise<void> {
    assertFunction(f, "foreach");
    await runJobOn(this, [{ op: "foreach", fns: [f], label: "foreach" }], undefined, false);
  }

  /**
   * Runs `f` on each partition's records, in the workers.
   *
   * @example
   * ```ts
   * const partitions = sc.accumulator(0);
   * await sc.parallelize([1, 2, 3, 4, 5], 3).foreachPartition((it) => partitions.add(1));
   * partitions.value; // → 3
   * ```
   */
  async foreachPartition(f: (it: Iterable<T>) => unknown): Promise<void> {
    assertFunction(f, "foreachPartition");
    await runJobOn(this, [{ op: "foreachPartition", fns: [f], label: "foreachPartition" }], undefined, false);
  }

  /**
   * Count, mean, variance, min and max of the records in one pass.
   *
   * @example
   * ```ts
   * const s = await sc.parallelize([1, 2, 3]).stats();
   * [s.count(), s.mean(), s.min(), s.max(), s.sum()]; // → [3, 2, 1, 3, 6]
   * s.toString(); // → "(count: 3, mean: 2.0, stdev: 0.816496580927726, max: 3.0, min: 1.0)"
   * ```
   */
  async stats(this: RDD<number>): Promise<StatCounter> {
    const parts = await runJobOn(this as RDD<unknown>, [{ op: "stats", label: "stats" }]);
    const total = new StatCounter();
    for (const p of parts) total.mergeStats(StatCounter.fromJSON(p[0] as ReturnType<StatCounter["toJSON"]>));
    return total;
  }

  /**
   * Mean of the records. `sc.parallelize([1, 2, 3]).mean()` → 2.
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3]).mean(); // → 2
   * ```
   */
  async mean(this: RDD<number>): Promise<number> {
    return (await this.stats()).mean();
  }

  /**
   * Population variance. `sc.parallelize([1, 2, 3]).variance()` → 0.666...
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3]).variance(); // → 0.6666666666666666
   * ```
   */
  async variance(this: RDD<number>): Promise<number> {
    return (await this.stats()).variance();
  }

  /**
   * Population standard deviation.
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3]).stdev(); // → 0.816496580927726
   * ```
   */
  async stdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).stdev();
  }

  /**
   * Sample variance (divides by n - 1). `sc.parallelize([1, 2, 3]).sampleVariance()` → 1.
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3]).sampleVariance(); // → 1
   * ```
   */
  async sampleVariance(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleVariance();
  }

  /**
   * Sample standard deviation (divides by n - 1).
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2, 3]).sampleStdev(); // → 1
   * ```
   */
  async sampleStdev(this: RDD<number>): Promise<number> {
    return (await this.stats()).sampleStdev();
  }

  /**
   * The number of distinct records, estimated with HyperLogLog to about `relativeSD`
   * (default 0.05): `sc.range(1000).countApproxDistinct()` ≈ 1000.
   *
   * @example
   * ```ts
   * const n = await sc.range(0, 1000).map((x) => x % 1000).countApproxDistinct();
   * n > 900 && n < 1100; // → true
   * await sc.parallelize(["a", "b", "a"]).countApproxDistinct(); // → 2
   * ```
   */
  async countApproxDistinct(relativeSD = 0.05): Promise<number> {
    const p = precisionFor(relativeSD);
    const parts = await runJobOn(this, [{ op: "hyperLogLog", args: { p }, label: "countApproxDistinct" }]);
    const hll = new HyperLogLog(p);
    for (const part of parts) hll.merge(part[0] as Uint8Array);
    return hll.estimate();
  }

  /**
   * Statistics of the partitions finished within `timeoutMs` (each partition runs as its own
   * job, so partial results arrive as they finish). Work still running goes on in the background.
   */
  private async partialStats(timeoutMs: number): Promise<{ done: StatCounter; finished: number; total: number }> {
    const total = this.getNumPartitions();
    const parts: Array<StatCounter | undefined> = new Array(total);
    const jobs = Array.from({ length: total }, (_, p) =>
      runJobOn(this, [{ op: "stats", label: "approx" }], [p]).then((r) => {
        parts[p] = StatCounter.fromJSON(r[0]![0] as ReturnType<StatCounter["toJSON"]>);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(jobs), new Promise((r) => (timer = setTimeout(r, Math.max(0, timeoutMs))))]);
    clearTimeout(timer);
    for (const j of jobs) j.catch(() => {});
    // Merged in partition order, not completion order: floating-point sums then come out
    // the same in every run (sum is count x mean, whose rounding depends on the order).
    const done = new StatCounter();
    let finished = 0;
    for (const s of parts) {
      if (!s) continue;
      done.mergeStats(s);
      finished++;
    }
    return { done, finished, total };
  }

  /**
   * count() if it finishes within `timeoutMs`, else an estimate from the partitions done by then.
   *
   * @example
   * ```ts
   * await sc.range(0, 1000, 1, 10).countApprox(10_000, 1.0); // → 1000
   * ```
   */
  async countApprox(timeoutMs: number, confidence = 0.95): Promise<number> {
    return Math.round((await this.approx("count", timeoutMs, confidence)).mean);
  }

  /**
   * The sum, or an estimate with a confidence interval if not done within `timeoutMs`.
   *
   * @example
   * ```ts
   * const r = await sc.range(0, 1000, 1, 10).sumApprox(10_000, 0.95);
   * r.mean; // → 499500
   * r.low <= r.mean && r.mean <= r.high; // → true
   * ```
   */
  async sumApprox(this: RDD<number>, timeoutMs: number, confidence = 0.95): Promise<BoundedDouble> {
    return (this as RDD<unknown>).approx("sum", timeoutMs, confidence);
  }

  /**
   * The mean, or an estimate with a confidence interval if not done within `timeoutMs`.
   *
   * @example
   * ```ts
   * const r = await sc.range(0, 1000, 1, 10).meanApprox(10_000, 0.95);
   * r.mean; // → 499.5
   * ```
   */
  async meanApprox(this: RDD<number>, timeoutMs: number, confidence = 0.95): Promise<BoundedDouble> {
    return (this as RDD<unknown>).approx("mean", timeoutMs, confidence);
  }

  private async approx(what: "count" | "sum" | "mean", timeoutMs: number, confidence: number): Promise<BoundedDouble> {
    if (!(confidence >= 0 && confidence <= 1)) throw new TsparkError("INVALID_ARGUMENT", `confidence must be in [0, 1], got ${confidence}`);
    const { done, finished, total } = await this.partialStats(timeoutMs);
    return boundedEstimate(what, done, finished, total, confidence);
  }

  /**
   * Counts of records per bucket. `buckets` is a count of even buckets between min and max,
   * or the sorted bucket edges (the last bucket includes its upper edge).
   * `sc.parallelize([1, 2, 3, 4, 5]).histogram(2)` → [[1, 3, 5], [2, 3]].
   *
   * @example
   * ```ts
   * const rdd = sc.range(0, 51);
   * await rdd.histogram(2); // → [[0, 25, 50], [25, 26]]
   * await rdd.histogram([0, 5, 25, 50]); // → [[0, 5, 25, 50], [5, 20, 26]]
   * await sc.parallelize([1, 2, 3, 4, 5]).histogram(2); // → [[1, 3, 5], [2, 3]]
   * ```
   */
  async histogram(this: RDD<number>, buckets: number | number[]): Promise<[number[], number[]]> {
    let edges: number[];
    let evenly: boolean;
    if (typeof buckets === "number") {
      if (!Number.isInteger(buckets) || buckets < 1) throw new TsparkError("INVALID_ARGUMENT", "number of buckets must be >= 1");
      // NaN is ignored; an infinite value makes the range infinite, which is an error (as PySpark).
      const st = await this.filter((x) => !Number.isNaN(x)).stats();
      if (st.count() === 0) throw new TsparkError("EMPTY_COLLECTION", "can not generate buckets from an empty RDD");
      edges = histogramBucketsFromRange(st.min(), st.max(), buckets);
      evenly = true;
    } else {
      validateBuckets(buckets);
      edges = buckets;
      evenly = isEvenlySpaced(buckets);
    }
    const parts = await runJobOn(this as RDD<unknown>, [{ op: "histogram", args: { buckets: edges, evenly }, label: "histogram" }]);
    const counts = new Array<number>(edges.length - 1).fill(0);
    for (const p of parts) (p[0] as number[]).forEach((c, i) => (counts[i]! += c));
    return [edges, counts];
  }

  /**
   * Writes each partition as a text file `part-NNNNN` (one record per line; non-strings as
   * JSON) under `path`, which must not exist. All-or-nothing: the files appear, with
   * `_SUCCESS`, only when every task succeeded.
   *
   * @example
   * ```ts
   * const out = "letters";
   * await sc.parallelize(["a", "b", "c"], 2).saveAsTextFile(out);
   * await sc.textFile(out).collect(); // → ["a", "b", "c"]
   * await sc.parallelize([{ n: 1 }, [2, 3]], 1).saveAsTextFile(`${out}-json`, "gzip"); // part-00000.gz: {"n":1} and [2,3]
   * ```
   */
  async saveAsTextFile(path: string, compressionCodec?: "gzip"): Promise<void> {
    if (compressionCodec !== undefined && compressionCodec !== "gzip") throw new TsparkError("INVALID_ARGUMENT", `unsupported compression codec "${String(compressionCodec)}" (use "gzip")`);
    const runtime = runtimeOf(this.context);
    // On Spark, through Spark's Hadoop output (its committer, any filesystem Spark writes to).
    if (runtime.onSpark) return runtime.saveOnSpark(this, path, { text: true, codec: compressionCodec });
    await this.saveWith(path, compressionCodec ? ".gz" : "", (commit) => ({ op: "saveText", args: { commit, codec: compressionCodec }, label: "saveAsTextFile" }));
  }

  /**
   * Writes the records in tspark's binary object format; read back with `sc.objectFile(path)`.
   *
   * @example
   * ```ts
   * const out = "objects";
   * await sc.parallelize([{ id: 1, tags: ["x"] }, new Map([["k", 2]])]).saveAsObjectFile(out);
   * await sc.objectFile(out).collect(); // → [{ id: 1, tags: ["x"] }, new Map([["k", 2]])]
   * ```
   */
  async saveAsObjectFile(path: string): Promise<void> {
    const runtime = runtimeOf(this.context);
    // On Spark, Spark's object file (a SequenceFile) of tspark's record batches, through its committer.
    if (runtime.onSpark) return runtime.saveOnSpark(this, path, { text: false });
    await this.saveWith(path, "", (commit) => ({ op: "saveObject", args: { commit }, label: "saveAsObjectFile" }));
  }

  private async saveWith(path: string, suffix: string, step: (commit: CommitDescription) => StepSpec): Promise<void> {
    const committer = OutputCommitter.prepare(path, `job-${this.context.applicationId}-${this.id}-${Date.now()}`, suffix);
    // Registered so that a Ctrl-C or SIGTERM mid-job removes the partial output too.
    const untrack = runtimeOf(this.context).trackOutput(() => committer.abortJob());
    try {
      await runJobOn(this, [step(committer.describe())], undefined, false);
      committer.commitJob();
    } catch (err) {
      committer.abortJob();
      throw err;
    } finally {
      untrack();
    }
  }
}

// ---- the kinds of RDD that narrow transformations make ----

/** Narrow steps over a parent, run as one function per task. */
export class PipelinedRDD<T> extends RDD<T> {
  private constructor(private readonly prev: RDD<unknown>, readonly steps: StepSpec[]) {
    super(prev.context);
  }

  /** Extends `parent`'s pipeline with `step` when `parent` is itself a pipeline. */
  static append<U>(parent: RDD<unknown>, step: StepSpec): RDD<U> {
    if (parent instanceof PipelinedRDD && parent.canExtend()) return new PipelinedRDD<U>(parent.prev, [...parent.steps, step]);
    return new PipelinedRDD<U>(parent, [step]);
  }

  /** Whether a new step may join this pipeline: not when this RDD's output is kept (cached). */
  protected canExtend(): boolean {
    return !this.isCached && this.checkpoint_ === undefined;
  }

  getNumPartitions(): number {
    return this.prev.getNumPartitions();
  }

  override get partitioner(): Partitioner | undefined {
    return this.steps.every((s) => s.preservesPartitioning) ? this.prev.partitioner : undefined;
  }

  parents(): RDD<unknown>[] {
    return [this.prev];
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    return {
      kind: "narrow",
      parent: this.prev.planPartition(p, planner),
      partitionIndex: p,
      steps: this.steps.map((s) => planStep(s, p, planner)),
    };
  }

  protected kindName(): string {
    return "PipelinedRDD";
  }

  protected override detail(): string {
    return this.steps.map((s) => s.label).join(" -> ");
  }
}

/** @internal Appends a step, extending the RDD's pipeline when it has one. */
export function withStep<U, T = unknown>(rdd: RDD<T>, step: StepSpec): RDD<U> {
  return PipelinedRDD.append<U>(rdd as RDD<unknown>, step);
}

/** @internal Runs a job over `partitions` (default all) of `rdd` with `steps` appended to each task. */
export function runJobOn<T>(rdd: RDD<T>, steps: StepSpec[], partitions?: number[], countResultSize = true): Promise<unknown[][]> {
  return runtimeOf(rdd.context).runJob(rdd as RDD<unknown>, steps, partitions, countResultSize);
}

/** Turns a driver-side step into plan data, capturing its functions. */
export function planStep(s: StepSpec, partition: number, planner: JobPlanner): Step {
  const args = "perPartitionArgs" in s ? s.perPartitionArgs(partition) : s.args;
  // The cast only restates the pairing: the spec's op and args are typed from StepArgs by op,
  // as the step's are (the compiler cannot follow one union member through `args`).
  const step = (args === undefined ? { op: s.op } : { op: s.op, args }) as Step;
  const fns = (s.fns ?? []).filter((f): f is Function => f !== undefined);
  if (fns.length > 0) step.fns = fns.map((f) => planner.closure(f, `${s.label} function`));
  return step;
}

export class UnionRDD<T> extends RDD<T> {
  /** The partition count, once known (the inputs' counts do not change; a file input lists its files when first asked). */
  private numPartitions_: number | undefined;

  constructor(context: SparkContext, private readonly rdds: RDD<T>[]) {
    super(context);
  }

  getNumPartitions(): number {
    if (this.numPartitions_ === undefined) {
      // Nested unions counted first, innermost first, so no count recurses into the next: `a.union(b)` in a loop chains thousands.
      const uncounted = (r: RDD<unknown>) => r instanceof UnionRDD && r.numPartitions_ === undefined;
      for (const r of walkLineage<RDD<unknown>>(this as RDD<unknown>, { descend: uncounted })) {
        if (r instanceof UnionRDD) r.numPartitions_ ??= (r as UnionRDD<unknown>).rdds.reduce((s, x) => s + x.getNumPartitions(), 0);
      }
    }
    return this.numPartitions_!;
  }

  parents(): RDD<unknown>[] {
    return this.rdds as RDD<unknown>[];
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    // A nested union planned as its computation (not kept, not checkpointed) is gone into in this
    // loop, not by recursion: chained unions may be thousands deep.
    let union: UnionRDD<unknown> = this as UnionRDD<unknown>;
    let i = p;
    for (;;) {
      const [r, j] = union.inputPartition(i);
      if (!(r instanceof UnionRDD && r.plansAsComputed())) return r.planPartition(j, planner);
      union = r;
      i = j;
    }
  }

  /** The input holding partition `p`, and its partition there. */
  private inputPartition(p: number): [RDD<unknown>, number] {
    let i = p;
    for (const r of this.rdds) {
      const n = r.getNumPartitions();
      if (i < n) return [r, i];
      i -= n;
    }
    throw new TsparkError("INVALID_ARGUMENT", `partition ${p} out of range`);
  }

  protected kindName(): string {
    return "UnionRDD";
  }
}

class ZippedRDD<A, B> extends RDD<[A, B]> {
  constructor(private readonly a: RDD<A>, private readonly b: RDD<B>) {
    super(a.context);
  }

  getNumPartitions(): number {
    return this.a.getNumPartitions();
  }

  parents(): RDD<unknown>[] {
    return [this.a, this.b] as RDD<unknown>[];
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    return { kind: "zip", left: this.a.planPartition(p, planner), right: this.b.planPartition(p, planner) };
  }

  protected kindName(): string {
    return "ZippedPartitionsRDD";
  }
}

class CartesianRDD<A, B> extends RDD<[A, B]> {
  constructor(private readonly a: RDD<A>, private readonly b: RDD<B>) {
    super(a.context);
  }

  getNumPartitions(): number {
    return this.a.getNumPartitions() * this.b.getNumPartitions();
  }

  parents(): RDD<unknown>[] {
    return [this.a, this.b] as RDD<unknown>[];
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    const nb = this.b.getNumPartitions();
    return { kind: "cartesian", left: this.a.planPartition(Math.floor(p / nb), planner), right: this.b.planPartition(p % nb, planner) };
  }

  protected kindName(): string {
    return "CartesianRDD";
  }
}

/** Merges runs of neighbouring parent partitions (coalesce without shuffle). */
class CoalescedRDD<T> extends RDD<T> {
  private readonly n: number;

  constructor(private readonly prev: RDD<T>, numPartitions: number) {
    super(prev.context);
    this.n = Math.min(numPartitions, prev.getNumPartitions());
  }

  getNumPartitions(): number {
    return this.n;
  }

  parents(): RDD<unknown>[] {
    return [this.prev as RDD<unknown>];
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    const parentN = this.prev.getNumPartitions();
    const from = Math.floor((p * parentN) / this.n);
    const to = Math.floor(((p + 1) * parentN) / this.n);
    const parents: PartitionPlan[] = [];
    for (let i = from; i < to; i++) parents.push(this.prev.planPartition(i, planner));
    return { kind: "concat", parents };
  }

  protected kindName(): string {
    return "CoalescedRDD";
  }
}

/** zipWithIndex: learns each partition's starting index from a counting job before planning. */
class ZipWithIndexRDD<T> extends RDD<[T, number]> {
  private starts: number[] | undefined;

  constructor(private readonly prev: RDD<T>) {
    super(prev.context);
  }

  override async prepare(): Promise<void> {
    if (this.starts) return;
    const n = this.prev.getNumPartitions();
    const starts = [0];
    if (n > 1) {
      const counts = await runJobOn(this.prev, [{ op: "count", label: "zipWithIndex" }], Array.from({ length: n - 1 }, (_, i) => i));
      for (const c of counts) starts.push(starts[starts.length - 1]! + (c[0] as number));
    }
    this.starts = starts;
  }

  getNumPartitions(): number {
    return this.prev.getNumPartitions();
  }

  parents(): RDD<unknown>[] {
    return [this.prev as RDD<unknown>];
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    if (!this.starts) throw new TsparkError("PROTOCOL", "zipWithIndex planned before its counts were known");
    return { kind: "narrow", parent: this.prev.planPartition(p, planner), partitionIndex: p, steps: [{ op: "zipWithIndex", args: { start: this.starts[p]! } }] };
  }

  protected kindName(): string {
    return "ZipWithIndexRDD";
  }
}

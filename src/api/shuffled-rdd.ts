/**
 * ShuffledRDD: the reduce side of a shuffle. Its parent's records are redistributed by key
 * with a partitioner (a shuffle map stage writes them, combined map-side when the
 * operation allows it), then each reduce task reads its partition from every map output,
 * optionally combining by key or sorting, within the worker's memory budget.
 */
import type { SparkContext } from "./context.js";
import { RDD, planStep, type StepSpec } from "./rdd.js";
import { Partitioner, RangePartitioner, directPartition } from "./partitioner.js";
import type { PartitionPlan } from "../scheduler/plan.js";
import type { JobPlanner } from "../scheduler/job-planner.js";
import { SHUFFLE_DEPENDENCY, type ShuffleDependency } from "../scheduler/lineage.js";
import type { JoinSide } from "../shuffle/key-filter.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import { portableHash } from "../shuffle/portable-hash.js";
import { TsparkSerializer } from "./serializers.js";
import type { AggregatorSpec, PartitionerSpec } from "../scheduler/step-args.js";

/** A combine operation and the user functions it uses (see AggregatorSpec for their roles). */
export interface AggregatorRef {
  spec: AggregatorSpec;
  fns: Function[];
}

export interface ShuffleOptions {
  /** Combine values by key before writing (reduceByKey...); the reduce side then merges combiners. */
  mapSideCombine?: AggregatorRef;
  /** Combine by key on the reduce side (with `mapSideCombine`, the same aggregator merges combiners). */
  reduceCombine?: AggregatorRef;
  /** Sort each reduce partition by key. */
  sort?: { ascending: boolean; keyfunc?: (k: unknown) => unknown };
  label: string;
  /** An inner or right outer join's side: its records are needed only for keys of this shuffle's (lineage.ts's keysFrom). */
  keysFrom?: ShuffledRDD<unknown>;
}

/** How a partitioner travels to map tasks: a spec plus the user functions it needs. */
function partitionerRef(p: Partitioner): { spec: PartitionerSpec; fns: Function[] } {
  if (p instanceof RangePartitioner) return { spec: { kind: "range", bounds: p.bounds, ascending: p.ascending }, fns: p.keyfunc ? [p.keyfunc] : [] };
  if (p.partitionFunc === portableHash) return { spec: { kind: "hash" }, fns: [] };
  if (p.partitionFunc === directPartition) return { spec: { kind: "direct" }, fns: [] };
  return { spec: { kind: "func" }, fns: [p.partitionFunc] };
}

export class ShuffledRDD<T> extends RDD<T> {
  readonly shuffleId: number;
  private resolved: Partitioner | undefined;

  /**
   * @param partitioner the partitioner, or (for sorts) a function that samples the parent to
   *   build one; it runs before the first job that needs this RDD.
   */
  constructor(
    context: SparkContext,
    readonly parent: RDD<unknown>,
    private readonly numPartitionsValue: number,
    private readonly partitionerSource: Partitioner | (() => Promise<Partitioner>),
    private readonly options: ShuffleOptions,
  ) {
    super(context);
    this.shuffleId = runtimeOf(context).newShuffleId(this);
    if (partitionerSource instanceof Partitioner) this.resolved = partitionerSource;
  }

  override async prepare(): Promise<void> {
    if (!this.resolved && typeof this.partitionerSource === "function") this.resolved = await this.partitionerSource();
  }

  override get partitioner(): Partitioner | undefined {
    return this.resolved;
  }

  getNumPartitions(): number {
    return this.numPartitionsValue;
  }

  parents(): RDD<unknown>[] {
    return [this.parent];
  }

  private requirePartitioner(): Partitioner {
    if (!this.resolved) throw new Error(`ShuffledRDD[${this.id}] was planned before its partitioner was built`);
    return this.resolved;
  }

  /** The plans of the map stage: each parent partition, ending in a shuffle write. */
  mapStagePlans(planner: JobPlanner, joinSide?: JoinSide): Array<{ partition: number; plan: PartitionPlan }> {
    const part = partitionerRef(this.requirePartitioner());
    const agg = this.options.mapSideCombine;
    const write: StepSpec = {
      op: "shuffleWrite",
      fns: [...(agg?.fns ?? []), ...part.fns],
      args: { shuffleId: this.shuffleId, numPartitions: this.numPartitionsValue, partitioner: part.spec, aggregator: agg?.spec, serializer: this.parent.serializerSpec(planner), ...joinSide },
      label: `${this.options.label} (shuffle write)`,
    };
    return Array.from({ length: this.parent.getNumPartitions() }, (_, m) => ({
      partition: m,
      plan: { kind: "narrow", parent: this.parent.planPartition(m, planner), partitionIndex: m, steps: [planStep(write, m, planner)] },
    }));
  }

  protected computePlan(p: number, planner: JobPlanner): PartitionPlan {
    const read: PartitionPlan = { kind: "shuffle-read", shuffleId: this.shuffleId, partition: p };
    const steps: StepSpec[] = [];
    const { reduceCombine, mapSideCombine, sort } = this.options;
    if (reduceCombine) steps.push({ op: "combineByKey", fns: reduceCombine.fns, args: { aggregator: reduceCombine.spec, combiners: mapSideCombine !== undefined }, label: this.options.label });
    if (sort) steps.push({ op: "sortByKey", fns: sort.keyfunc ? [sort.keyfunc] : [], args: { ascending: sort.ascending }, label: "sort" });
    if (steps.length === 0) return read;
    return { kind: "narrow", parent: read, partitionIndex: p, steps: steps.map((s) => planStep(s, p, planner)) };
  }

  /** @internal */
  override [SHUFFLE_DEPENDENCY](): ShuffleDependency {
    return {
      shuffleId: this.shuffleId,
      parent: this.parent,
      mapStageName: `${this.operation} at ${this.callSite}`,
      numPartitions: this.numPartitionsValue,
      partitioner: () => this.requirePartitioner(),
      mapStagePlans: (planner, joinSide) => this.mapStagePlans(planner, joinSide),
      keysFrom: this.keysFrom(),
    };
  }

  /**
   * The join side whose keys this one's records may be filtered by: only when both sides'
   * records go through tspark's own serializer, which keeps keys as they are (the filter
   * hashes keys before serialization, the join compares them after; JSON would turn a Date
   * key into the string its other side may have).
   */
  private keysFrom(): ShuffledRDD<unknown> | undefined {
    const build = this.options.keysFrom;
    return build && this.parent.serializer instanceof TsparkSerializer && build.parent.serializer instanceof TsparkSerializer ? build : undefined;
  }

  protected kindName(): string {
    return "ShuffledRDD";
  }

  protected override isShuffleBoundary(): boolean {
    return true;
  }

  protected override detail(): string {
    return this.options.label;
  }

  /** The operation that shuffles (e.g. "reduceByKey"): names its map stage. */
  get operation(): string {
    return this.options.label;
  }
}

/**
 * The lineage as the scheduler sees it: a DAG of nodes (RDDs implement this), each
 * computed from its dependencies, some reading a shuffle whose map stage must run first.
 * The scheduler knows nothing else of RDDs.
 */
import type { PartitionPlan } from "./plan.js";
import type { JobPlanner } from "./job-planner.js";
import type { JoinSide } from "../shuffle/key-filter.js";

/** The shuffle a node reads (symbol-keyed: an engine hook, not part of the RDD's API). */
export const SHUFFLE_DEPENDENCY = Symbol("tspark.shuffleDependency");
/** What a node is, in one line (symbol-keyed for the same reason). */
export const DESCRIBE = Symbol("tspark.describe");
/** A node's checkpoint() still to write (symbol-keyed for the same reason). */
export const PENDING_CHECKPOINT = Symbol("tspark.pendingCheckpoint");

export interface PlannedPartition {
  partition: number;
  plan: PartitionPlan;
}

/** A shuffle: its map stage computes every partition of `parent` and writes it by key. */
export interface ShuffleDependency {
  readonly shuffleId: number;
  /** The node whose partitions the map tasks compute (one map task each). */
  readonly parent: Lineage;
  /** Names the map stage (UI, status tracker), e.g. "reduceByKey at app.ts:3". */
  readonly mapStageName: string;
  /** How many reduce partitions it has. */
  readonly numPartitions: number;
  /** What routes keys to them (once prepared): equal partitioners partition alike. */
  partitioner(): { equals(other: unknown): boolean };
  /** The map tasks' plans: each parent partition ending in a shuffle write (as a join's side, when the engine asks). */
  mapStagePlans(planner: JobPlanner, joinSide?: JoinSide): PlannedPartition[];
  /**
   * An inner or right outer join's side that may drop records whose key the other side
   * (`keysFrom`, a shuffle of the same partitioner) lacks: an engine may run that shuffle's
   * map stage first and filter this one's records by its keys (shuffle/key-filter.ts).
   */
  readonly keysFrom?: Lineage | undefined;
}

export interface Lineage {
  readonly id: number;
  /** Where the user's program made the node (`app.ts:12`). */
  readonly callSite: string;
  /** What the node is, for the UI's DAG ("PipelinedRDD[2] map -> filter at app.ts:3"). */
  [DESCRIBE]?(): string;
  getNumPartitions(): number;
  /** The nodes this one is computed from (none once checkpointed to files). */
  dependencies(): readonly Lineage[];
  /** The plan a task runs for partition `p`. */
  planPartition(p: number, planner: JobPlanner): PartitionPlan;
  /** Work needed before the node can be planned (e.g. a sort's sampled partitioner). */
  prepare(): Promise<void>;
  /** Whether this node's stage runs as a barrier stage. */
  isBarrier(): boolean;
  /** Whether a checkpoint of this node was written (its shuffle, if any, is not read again). */
  isCheckpointed(): boolean;
  [SHUFFLE_DEPENDENCY](): ShuffleDependency | undefined;
  /** Writes the pending checkpoint (a job of its own), or undefined when none is pending. */
  [PENDING_CHECKPOINT](): (() => Promise<void>) | undefined;
}

export interface WalkOptions<N> {
  /** "pre": a node before its dependencies; "post" (default): dependencies first. */
  order?: "pre" | "post";
  /** Whether to visit a node's dependencies (default: always). */
  descend?(node: N): boolean;
}

/**
 * Every node of a lineage once (a node reached by two paths is visited once). Lazy: a
 * node's dependencies are read when the walk reaches them, so visiting (preparing,
 * checkpointing) a node first can still change what comes after. Iterative (an explicit
 * stack, not nested generators): a lineage may be thousands of RDDs deep.
 */
export function* walkLineage<N extends { readonly id: number; dependencies(): readonly N[] }>(root: N, options: WalkOptions<N> = {}, seen = new Set<number>()): Generator<N> {
  if (seen.has(root.id)) return;
  const pre = options.order === "pre";
  // Each frame: a node entered, its dependencies (read once it is entered), the next one to go into.
  const stack: Array<{ node: N; deps: readonly N[]; next: number }> = [];
  let entering: N | undefined = root;
  while (entering !== undefined || stack.length > 0) {
    if (entering !== undefined) {
      const node: N = entering;
      entering = undefined;
      seen.add(node.id);
      if (pre) yield node;
      stack.push({ node, deps: (options.descend?.(node) ?? true) ? node.dependencies() : [], next: 0 });
      continue;
    }
    const top = stack[stack.length - 1]!;
    if (top.next < top.deps.length) {
      const d = top.deps[top.next++]!;
      if (!seen.has(d.id)) entering = d;
      continue;
    }
    stack.pop();
    if (!pre) yield top.node;
  }
}

/**
 * Runs, after a job, the checkpoints of its lineage still pending (checkpoint() or
 * localCheckpoint() called before it): outermost first, each one's write in turn.
 */
export async function runPendingCheckpoints(rdd: Lineage): Promise<void> {
  const writes: Array<() => Promise<void>> = [];
  for (const node of walkLineage(rdd, { order: "pre" })) {
    const write = node[PENDING_CHECKPOINT]();
    if (write) writes.push(write);
  }
  for (const write of writes) await write();
}

/**
 * Lineage nodes for unit tests of the schedulers: sources of N partitions, narrow nodes
 * over others, and nodes reading a shuffle. Their plans are only labels a FakeBackend's
 * runner can tell apart (a source range, a shuffle write, a shuffle read).
 */
import { SHUFFLE_DEPENDENCY, PENDING_CHECKPOINT, type Lineage, type ShuffleDependency, type PlannedPartition } from "../lineage.js";
import type { PartitionPlan } from "../plan.js";

let nextId = 0;

export class FakeNode implements Lineage {
  readonly id = nextId++;
  readonly callSite = "fake-lineage.ts";
  private readonly shuffle: ShuffleDependency | undefined;

  private constructor(
    private readonly numPartitions: number,
    private readonly deps: FakeNode[],
    shuffle: { shuffleId: number; keysFrom?: FakeNode | undefined } | undefined,
    private readonly barrier = false,
  ) {
    if (shuffle) {
      const parent = deps[0]!;
      this.shuffle = {
        shuffleId: shuffle.shuffleId,
        parent,
        mapStageName: `shuffle ${shuffle.shuffleId}`,
        numPartitions,
        partitioner: () => ({ equals: () => false }),
        mapStagePlans: (_planner, joinSide): PlannedPartition[] =>
          Array.from({ length: parent.getNumPartitions() }, (_, m) => ({
            partition: m,
            plan: { kind: "narrow", parent: parent.planPartition(m), partitionIndex: m, steps: [{ op: "shuffleWrite", args: { shuffleId: shuffle.shuffleId, numPartitions: this.numPartitions, partitioner: { kind: "hash" }, ...joinSide } }] },
          })),
        keysFrom: shuffle.keysFrom,
      };
    }
  }

  /** Input of `numPartitions` partitions; with `barrier`, its stage is a barrier stage. */
  static source(numPartitions: number, barrier = false): FakeNode {
    return new FakeNode(numPartitions, [], undefined, barrier);
  }

  /** Computed partition by partition from `parents` (a union, a zip, a co-partitioned join). */
  static narrow(numPartitions: number, ...parents: FakeNode[]): FakeNode {
    return new FakeNode(numPartitions, parents, undefined);
  }

  /**
   * Reads shuffle `shuffleId`, whose map stage computes `parent`; with `barrier`, its stage is
   * a barrier stage; with `keysFrom` (a node reading another shuffle), it is a join's side
   * filtered by that shuffle's keys.
   */
  static shuffled(parent: FakeNode, shuffleId: number, numPartitions: number, barrier = false, keysFrom?: FakeNode): FakeNode {
    return new FakeNode(numPartitions, [parent], { shuffleId, keysFrom }, barrier);
  }

  getNumPartitions(): number {
    return this.numPartitions;
  }

  dependencies(): FakeNode[] {
    return this.deps;
  }

  planPartition(p: number): PartitionPlan {
    if (this.shuffle) return { kind: "shuffle-read", shuffleId: this.shuffle.shuffleId, partition: p };
    if (this.deps.length === 0) return { kind: "range", start: p, end: p + 1, step: 1 };
    return { kind: "concat", parents: this.deps.map((d) => d.planPartition(p)) };
  }

  async prepare(): Promise<void> {}

  isBarrier(): boolean {
    return this.barrier;
  }

  isCheckpointed(): boolean {
    return false;
  }

  [SHUFFLE_DEPENDENCY](): ShuffleDependency | undefined {
    return this.shuffle;
  }

  [PENDING_CHECKPOINT](): undefined {
    return undefined;
  }
}

/**
 * Persisted RDDs Spark keeps, as PySpark's are kept: a persisted RDD becomes a JVM RDD of its
 * partitions as tspark's tagged record batches (tspark's worker computing them), persisted at the
 * RDD's storage level, so Spark's block manager holds, evicts, spills to disk and recomputes
 * them. A task reading a persisted partition reads that JVM RDD's partition: Spark hands over
 * the kept bytes, or computes them first. A checkpointed RDD (checkpoint(), localCheckpoint())
 * becomes such a JVM RDD too, which Spark checkpoints as PySpark's are.
 */
import { TsparkError } from "../../errors.js";
import { JobPlanner } from "../../scheduler/job-planner.js";
import { childPlans, planNodes, rewritePlan, type PartitionPlan } from "../../scheduler/plan.js";
import type { SerializerSpec } from "../../serde/record-serializers.js";
import type { Lineage } from "../../scheduler/lineage.js";
import { parseBlockId } from "../../storage/block-store.js";
import type { RddStorageInfo } from "../../storage/block-tracker.js";
import type { JavaObject, Py4JClient } from "../py4j/py4j-client.js";
import type { PartitionTask } from "../task-command.js";

/** Builds the JVM RDD computing a persisted RDD's partitions as record batches tagged with `source` (and their partition). */
export type BatchesRdd = (tasks: PartitionTask[], planner: JobPlanner, name: string, source: number, serializer: SerializerSpec | undefined) => Promise<JavaObject>;

/**
 * A persisted RDD's frames are tagged with this plus its id (shuffles' frames with their
 * shuffle's id): a task reading both, or several partitions of either, tells them apart.
 */
const PERSISTED_SOURCES = 2 ** 31;

type CachedPlan = Extract<PartitionPlan, { kind: "cached" }>;

export class SparkStorage {
  /** Made or being made, by tspark's RDD id. */
  private readonly persisted = new Map<number, Promise<{ rdd: JavaObject; partitions: number }>>();
  /** Those Spark checkpoints (their JVM RDD is kept: after its checkpoint, it reads it). */
  private readonly checkpointed = new Set<number>();

  constructor(private readonly client: Py4JClient) {}

  /**
   * `plan` with each read of a persisted partition made a read of the JVM RDD Spark persists
   * (made at the first need, from `nodeOf`'s partitions; `readShuffles` maps their shuffle reads).
   */
  async readPlan(plan: PartitionPlan, nodeOf: (rddId: number) => Lineage | undefined, readShuffles: (plan: PartitionPlan) => PartitionPlan, build: BatchesRdd): Promise<PartitionPlan> {
    // The persisted partitions it reads (not looking inside them: Spark computes those), each made once.
    const cached = [...planNodes(plan, (node) => (node.kind === "cached" ? [] : childPlans(node)))].filter((node): node is CachedPlan => node.kind === "cached");
    if (cached.length === 0) return plan;
    const reads = new Map<PartitionPlan, PartitionPlan>();
    await Promise.all(cached.map(async (node) => {
      const { rddId, partition } = parseBlockId(node.blockId);
      const { rdd, partitions } = await this.ensure(rddId, node, nodeOf, readShuffles, build);
      // No partitioner for Spark: the JVM RDD keeps none, so a task reading it with others gathers them.
      reads.set(node, { kind: "executor-input", from: { rdd: rdd.javaId, partitions, partition, records: "tagged-batches", tagged: { source: PERSISTED_SOURCES + rddId } } });
    }));
    return rewritePlan(plan, (node) => reads.get(node));
  }

  private ensure(rddId: number, cached: CachedPlan, nodeOf: (rddId: number) => Lineage | undefined, readShuffles: (plan: PartitionPlan) => PartitionPlan, build: BatchesRdd): Promise<{ rdd: JavaObject; partitions: number }> {
    let made = this.persisted.get(rddId);
    if (!made) {
      made = (async () => {
        const node = nodeOf(rddId);
        if (!node) throw new TsparkError("PROTOCOL", `persisted RDD ${rddId} is not in the job's lineage`);
        const planner = new JobPlanner();
        const tasks: PartitionTask[] = [];
        // The RDD's serializer, planned by this job's planner (a custom one's functions travel with its tasks).
        let serializer: SerializerSpec | undefined;
        for (let p = 0; p < node.getNumPartitions(); p++) {
          const own = node.planPartition(p, planner);
          if (own.kind !== "cached") throw new TsparkError("PROTOCOL", `RDD ${rddId} was persisted while its job was planned`);
          serializer = own.serializer;
          // Persisted RDDs it reads are read from Spark too.
          tasks.push({ partition: p, plan: await this.readPlan(readShuffles(own.compute), nodeOf, readShuffles, build) });
        }
        const built = await build(tasks, planner, `tspark RDD ${rddId}`, PERSISTED_SOURCES + rddId, serializer);
        const { useDisk, useMemory } = cached.level;
        // Serialized bytes (record batches), one copy: PySpark's levels are serialized too.
        const level = await this.client.callStatic("org.apache.spark.storage.StorageLevel", "apply", useDisk, useMemory, false, false, 1);
        const rdd = useDisk || useMemory ? ((await built.call("persist", level)) as JavaObject) : built;
        // As PySpark's checkpoint()/localCheckpoint(): Spark writes it after the next job computing it, and cuts its lineage.
        if (cached.checkpoint) {
          await ((await rdd.call("rdd")) as JavaObject).call(cached.checkpoint === "local" ? "localCheckpoint" : "checkpoint");
          this.checkpointed.add(rddId);
        }
        return { rdd, partitions: tasks.length };
      })();
      this.persisted.set(rddId, made);
      made.catch(() => this.persisted.delete(rddId));
    }
    return made;
  }

  /** Whether Spark checkpointed RDD `rddId`, and where (a reliable checkpoint's directory). */
  async checkpointState(rddId: number): Promise<{ done: boolean; file: string | undefined }> {
    const made = this.checkpointed.has(rddId) ? this.persisted.get(rddId) : undefined;
    if (!made) return { done: false, file: undefined };
    const rdd = (await (await made).rdd.call("rdd")) as JavaObject;
    if (!(await rdd.call("isCheckpointed"))) return { done: false, file: undefined };
    const file = (await rdd.call("getCheckpointFile")) as JavaObject;
    return { done: true, file: (await file.call("isDefined")) ? String(await file.call("get")) : undefined };
  }

  /**
   * What Spark's block manager keeps of each persisted RDD, by tspark's RDD id: Spark's own
   * account (SparkContext.getRDDStorageInfo, a developer API), kept by its status listener.
   * That listener writes an RDD's changes at most every spark.ui.liveUpdate.period, so the
   * account may trail the blocks by seconds. (Not the block manager master's account: Py4J's
   * reflection over those classes fails on 4.x, missing the protobuf classes they name.)
   * A block on disk and in memory counts as in memory, as on tspark's engine.
   */
  async storageInfo(sc: JavaObject): Promise<RddStorageInfo[]> {
    const ours = new Map<number, number>();
    for (const [rddId, made] of this.persisted) {
      const kept = await made.catch(() => undefined);
      if (kept) ours.set(Number(await kept.rdd.call("id")), rddId);
    }
    const infos = (await sc.call("getRDDStorageInfo")) as JavaObject;
    const count = Number(await this.client.callStatic("java.lang.reflect.Array", "getLength", infos));
    const out: RddStorageInfo[] = [];
    for (let i = 0; i < count; i++) {
      const info = (await this.client.arrayItem(infos, i)) as JavaObject;
      const rddId = ours.get(Number(await info.call("id")));
      if (rddId === undefined) continue;
      const [cachedPartitions, memoryBytes, diskBytes] = await Promise.all(["numCachedPartitions", "memSize", "diskSize"].map(async (m) => Number(await info.call(m))));
      out.push({ rddId, cachedPartitions: cachedPartitions!, memoryBytes: memoryBytes!, diskBytes: diskBytes! });
    }
    return out.sort((a, b) => a.rddId - b.rddId);
  }

  /** Drops an RDD's partitions from Spark's storage (a later job persists them again; a checkpointed one reads its checkpoint). */
  async unpersist(rddId: number): Promise<void> {
    const made = this.persisted.get(rddId);
    if (!made) return;
    if (this.checkpointed.has(rddId)) {
      await (await made).rdd.call("unpersist", false);
      return;
    }
    this.persisted.delete(rddId);
    const { rdd } = await made;
    await rdd.call("unpersist", false);
  }
}

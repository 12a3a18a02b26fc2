/**
 * Shuffles Spark moves, built the way PySpark builds them: the map side's worker (a PythonRDD
 * running the map stage's plans, ending in shuffleEmit) hands over [reduce partition, frame]
 * pairs; a PairwiseRDD makes them Spark pairs, partitionBy with a PythonPartitioner routes each
 * frame to its reduce partition, and the reduce side's worker reads the frames of its partition.
 * Spark schedules the map stage, keeps its output for later jobs, and recomputes lost output
 * from the JVM lineage.
 *
 * A partitioner's JVM identity is a stable id per tspark partitioner (equal partitioners, one
 * id): two shuffles partitioned alike are co-partitioned for Spark too, so their union keeps
 * partition i of each together (a join reads both sides of a key in one task, with no
 * second shuffle).
 */
import { TsparkError } from "../../errors.js";
import type { ShuffleDependency } from "../../scheduler/lineage.js";
import { rewritePlan, type PartitionPlan } from "../../scheduler/plan.js";
import { JobPlanner } from "../../scheduler/job-planner.js";
import type { JavaObject } from "../py4j/py4j-client.js";
import { CALL_SITE_PROPERTY, withLocalProperties, type SparkTarget } from "./run-plans.js";
import type { PartitionTask } from "../task-command.js";

/** A shuffle's output as Spark holds it: the shuffled JVM RDD's two views of its frames. */
export interface SparkShuffle {
  numPartitions: number;
  /** The stable id of its partitioner. */
  partitioner: number;
  /** The frames of each reduce partition, partitioner dropped (a plain member of any union). */
  values: JavaObject;
  /** The same frames keeping the partitioner (unions of shuffles partitioned alike stay co-partitioned). */
  partitioned: JavaObject;
}

/** Builds the map side's worker RDD (frames of [reduce partition, frame] pairs) for the map stage's plans. */
export type MapSideRdd = (tasks: PartitionTask[], planner: JobPlanner, name: string) => Promise<JavaObject>;

export class SparkShuffles {
  /** Made or being made, by tspark's shuffle id (two jobs at once make a shuffle once). */
  private readonly making = new Map<number, Promise<SparkShuffle>>();
  private readonly made = new Map<number, SparkShuffle>();
  /** Partitioners seen, by id (their index). */
  private readonly partitioners: Array<{ equals(other: unknown): boolean }> = [];

  constructor(private readonly target: Pick<SparkTarget, "client" | "jsc">) {}

  /** Makes `dep`'s shuffle in Spark, once (its upstream shuffles must be made first); `mapSide` builds its map side. */
  async ensure(dep: ShuffleDependency, mapSide: MapSideRdd): Promise<void> {
    let making = this.making.get(dep.shuffleId);
    if (!making) {
      making = this.make(dep, mapSide);
      this.making.set(dep.shuffleId, making);
      making.then((s) => this.made.set(dep.shuffleId, s), () => this.making.delete(dep.shuffleId));
    }
    await making;
  }

  private async make(dep: ShuffleDependency, mapSide: MapSideRdd): Promise<SparkShuffle> {
    const planner = new JobPlanner();
    const tasks = dep.mapStagePlans(planner).map(({ partition, plan }) => ({ partition, plan: emitting(this.readPlan(plan)) }));
    const rdd = await mapSide(tasks, planner, dep.mapStageName);
    const { client } = this.target;
    // Spark names a map stage after the call site its RDD was made under: `reduceByKey at app.ts:7`, as PySpark's are named.
    const pairwise = await withLocalProperties(this.target, { [CALL_SITE_PROPERTY]: dep.mapStageName }, async (thread) => thread.construct("org.apache.spark.api.python.PairwiseRDD", (await thread.call(rdd, "rdd")) as JavaObject));
    const pairs = (await pairwise.call("asJavaPairRDD")) as JavaObject;
    const partitioner = this.partitionerId(dep.partitioner());
    const shuffled = (await pairs.call("partitionBy", await client.construct("org.apache.spark.api.python.PythonPartitioner", dep.numPartitions, BigInt(partitioner)))) as JavaObject;
    return {
      numPartitions: dep.numPartitions,
      partitioner,
      values: (await shuffled.call("values")) as JavaObject,
      partitioned: (await client.callStatic("org.apache.spark.api.python.PythonRDD", "valueOfPair", shuffled)) as JavaObject,
    };
  }

  /** The shuffle as Spark holds it (made by ensure). */
  get(shuffleId: number): SparkShuffle {
    const s = this.made.get(shuffleId);
    if (!s) throw new TsparkError("PROTOCOL", `shuffle ${shuffleId} was planned before Spark made it`);
    return s;
  }

  /** `plan` with each read of a shuffle's files made a read of the frames Spark moved. */
  readPlan(plan: PartitionPlan): PartitionPlan {
    return rewritePlan(plan, (node) => {
      if (node.kind !== "shuffle-read") return undefined;
      const s = this.get(node.shuffleId);
      return { kind: "executor-input", from: { rdd: s.values.javaId, partitions: s.numPartitions, partition: node.partition, records: "tagged-batches", tagged: { source: node.shuffleId, partitioner: s.partitioner }, partitionedRdd: s.partitioned.javaId } };
    });
  }

  private partitionerId(p: { equals(other: unknown): boolean }): number {
    const i = this.partitioners.findIndex((q) => q.equals(p));
    if (i >= 0) return i;
    this.partitioners.push(p);
    return this.partitioners.length - 1;
  }
}

/** A map task's plan with its shuffle write handed to Spark instead (the step's arguments unchanged). */
function emitting(plan: PartitionPlan): PartitionPlan {
  const last = plan.kind === "narrow" ? plan.steps[plan.steps.length - 1] : undefined;
  if (plan.kind !== "narrow" || last?.op !== "shuffleWrite") throw new TsparkError("PROTOCOL", "a map stage's plan must end in its shuffle write");
  return { ...plan, steps: [...plan.steps.slice(0, -1), { ...last, op: "shuffleEmit" }] };
}

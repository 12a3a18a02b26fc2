/**
 * Runs tspark plans as one Spark job. Each plan is what one of the job's partitions computes;
 * tspark's worker runs it on an executor, as a PythonRDD's function. Over Spark's own input
 * (a textFile read by Spark's Hadoop readers) the worker's command holds one plan per Spark
 * partition and runs it over the records Spark hands it; otherwise each plan is the one record
 * of its Spark partition (read by readRDDFromFile).
 */
import type { CommandPlans, PartitionResult } from "../task-command.js";
import type { PartitionPlan } from "../../scheduler/plan.js";
import type { JobPlanner } from "../../scheduler/job-planner.js";
import { encodeMessage, decodeMessage } from "../../serde/message-codec.js";
import { TsparkError } from "../../errors.js";
import { JavaObject, type Py4JClient } from "../py4j/py4j-client.js";
import type { SparkMinor } from "../gateway/spark-home.js";
import { encodeTaskCommand } from "../task-command.js";
import { collectFrames, parallelizeFrames, workerRdd } from "./jvm-rdds.js";

export interface SparkTarget {
  client: Py4JClient;
  jsc: JavaObject;
  workerExec: string;
  minor: SparkMinor;
}

/** What a job's tasks receive besides their plans: broadcast values and the user's modules, through Spark. */
export interface JobResources {
  /** Spark broadcasts of tspark's broadcast values, and tspark's id -> Spark's id of each. */
  broadcasts: JavaObject[];
  broadcastIds: Array<[number, number]>;
  /** Module URL -> name of its bundle among Spark's added files. */
  modules: Array<[string, string]>;
}

const NO_RESOURCES: JobResources = { broadcasts: [], broadcastIds: [], modules: [] };

/**
 * The JVM RDD of tspark's worker running `plans` (a JavaRDD<byte[]> of `output` frames), and
 * which of its partitions are the job's, in order (undefined: all of them).
 */
export async function planRdd(target: SparkTarget, plans: PartitionPlan[], planner: JobPlanner, output: "result" | "utf8", resources = NO_RESOURCES): Promise<{ rdd: JavaObject; partitions: number[] | undefined }> {
  const { client, jsc, workerExec, minor } = target;
  const input = sparkInput(plans);
  const closures = [...planner.closureBytes];
  const command = input
    ? encodeTaskCommand({ input: "utf8", output, plans: input.plans, closures, broadcasts: resources.broadcastIds, modules: resources.modules })
    : encodeTaskCommand({ input: "plan", output, plans: { all: { kind: "executor-input" } }, closures, broadcasts: resources.broadcastIds, modules: resources.modules });
  const parent = input ? await input.rdd(target) : await parallelizeFrames(client, jsc, plans.map((p) => encodeMessage(p)), plans.length);
  const rdd = await workerRdd(client, parent, { command, workerExec, minor, broadcasts: resources.broadcasts });
  return { rdd, partitions: input?.partitions };
}

/** Runs `plans` as one Spark job: each plan's result, in order. */
export async function runPlans(target: SparkTarget, plans: PartitionPlan[], planner: JobPlanner, resources = NO_RESOURCES): Promise<PartitionResult[]> {
  const { rdd, partitions } = await planRdd(target, plans, planner, "result", resources);
  const frames = await collectFrames(target.client, rdd, partitions);
  if (frames.length !== plans.length) throw new TsparkError("PROTOCOL", `Spark returned ${frames.length} partition results for ${plans.length} partitions`);
  return frames.map((f) => decodeMessage<PartitionResult>(f));
}

type SparkLeaf = NonNullable<Extract<PartitionPlan, { kind: "executor-input" }>["from"]>;

/** Where a plan reads Spark's own input (its `executor-input` leaves that name a JVM RDD). */
function sparkLeaves(plan: PartitionPlan, into: SparkLeaf[] = []): SparkLeaf[] {
  switch (plan.kind) {
    case "executor-input":
      if (plan.from) into.push(plan.from);
      break;
    case "narrow":
      sparkLeaves(plan.parent, into);
      break;
    case "zip":
    case "cartesian":
    case "hash-join":
      sparkLeaves(plan.left, into);
      sparkLeaves(plan.right, into);
      break;
    case "concat":
      for (const p of plan.parents) sparkLeaves(p, into);
      break;
    case "cached":
      sparkLeaves(plan.compute, into);
      break;
    default:
      break;
  }
  return into;
}

/**
 * A job over Spark's own input (a textFile read by Spark's Hadoop readers), or undefined when
 * its plans read no Spark input. Each of the job's partitions must read exactly one partition
 * of one such input: the JVM RDD the worker runs over is the union of those inputs, and each
 * Spark partition of it gets its own plan.
 */
function sparkInput(plans: PartitionPlan[]): { rdd(target: SparkTarget): Promise<JavaObject>; partitions: number[]; plans: CommandPlans } | undefined {
  const leaves = plans.map((p) => sparkLeaves(p));
  if (leaves.every((l) => l.length === 0)) return undefined;
  if (leaves.some((l) => l.length !== 1)) {
    throw new TsparkError("INVALID_ARGUMENT", "on Spark, a partition that reads several partitions of a textFile (coalesce, zip or cartesian over one), or a union of a textFile with another kind of input, does not run on Spark yet; run it on tspark's own engine (--master local[N])");
  }
  // The union of the inputs in order of use; an input used again from an earlier partition starts a new member.
  const members: Array<{ rdd: string; offset: number; last: number }> = [];
  let size = 0;
  const partitions = leaves.map(([leaf]) => {
    const { rdd, partition, partitions: count } = leaf!;
    let m = members[members.length - 1];
    if (!m || m.rdd !== rdd || partition <= m.last) {
      m = { rdd, offset: size, last: -1 };
      members.push(m);
      size += count;
    }
    m.last = partition;
    return m.offset + partition;
  });
  return {
    partitions,
    async rdd({ client }) {
      let union: JavaObject | undefined;
      for (const m of members) {
        // Held by the session's thread; this client only refers to it.
        const rdd = new JavaObject(m.rdd, "object", client);
        union = union ? ((await union.call("union", rdd)) as JavaObject) : rdd;
      }
      return union!;
    },
    plans: { byPartition: plans.map((plan, i): [number, PartitionPlan] => [partitions[i]!, plan]) },
  };
}

/**
 * Runs tspark plans as one Spark job. Each is what one of the job's partitions computes;
 * tspark's worker runs it on an executor, as a PythonRDD's function. Over Spark's own input
 * (a textFile read by Spark's Hadoop readers) the worker's command holds one plan per Spark
 * partition and runs it over the records Spark hands it; otherwise each plan is the one record
 * of its Spark partition (read by readRDDFromFile).
 */
import { fileURLToPath } from "node:url";
import type { CommandPlans, InputCodec, OutputCodec, PartitionResult, PartitionTask } from "../task-command.js";
import { childPlans, mapChildPlans, type PartitionPlan, type SparkInputPartition } from "../../scheduler/plan.js";
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
  /** The Spark broadcast (among `broadcasts`) carrying the job's closures when they are large, and their file. */
  closures?: { object: JavaObject; sparkId: number; path: string };
}

const NO_RESOURCES: JobResources = { broadcasts: [], broadcastIds: [], modules: [] };

/**
 * The JVM RDD of tspark's worker running `plans` (a JavaRDD<byte[]> of `output` frames), and
 * which of its partitions are the job's, in order (undefined: all of them).
 */
export async function planRdd(target: SparkTarget, tasks: PartitionTask[], planner: JobPlanner, output: OutputCodec, resources = NO_RESOURCES): Promise<{ rdd: JavaObject; partitions: number[] | undefined }> {
  const { client, jsc, workerExec, minor } = target;
  const input = sparkInput(tasks);
  const shared = {
    closures: resources.closures ? [] : [...planner.closureBytes],
    closuresIn: resources.closures?.sparkId,
    broadcasts: resources.broadcastIds,
    modules: resources.modules,
  };
  const command = input
    ? encodeTaskCommand({ input: input.codec, output, plans: input.plans, ...shared })
    : encodeTaskCommand({ input: "plan", output, plans: { all: { kind: "executor-input" } }, ...shared });
  const parent = input ? await input.rdd(target) : await parallelizeFrames(client, jsc, tasks.map((t) => encodeMessage(t)), tasks.length);
  const rdd = await workerRdd(client, parent, { command, workerExec, minor, broadcasts: resources.broadcasts });
  return { rdd, partitions: input?.partitions };
}

/** Runs `tasks` as one Spark job: each one's result, in order. */
export async function runPlans(target: SparkTarget, tasks: PartitionTask[], planner: JobPlanner, resources = NO_RESOURCES): Promise<PartitionResult[]> {
  const { rdd, partitions } = await planRdd(target, tasks, planner, "result", resources);
  const frames = await collectFrames(target.client, rdd, partitions);
  if (frames.length !== tasks.length) throw new TsparkError("PROTOCOL", `Spark returned ${frames.length} partition results for ${tasks.length} partitions`);
  return frames.map((f) => decodeMessage<PartitionResult>(f));
}

/** How the worker reads each kind of Spark input's records. */
const INPUT_CODECS: Record<SparkInputPartition["records"], InputCodec> = { "lines": "utf8", "text-files": "text-pairs", "binary-files": "binary-pairs", "record-batches": "batches" };

/** Where a plan reads Spark's own input (its `executor-input` leaves that name a JVM RDD). */
function sparkLeaves(plan: PartitionPlan, into: SparkInputPartition[] = []): SparkInputPartition[] {
  if (plan.kind === "executor-input" && plan.from) into.push(plan.from);
  for (const child of childPlans(plan)) sparkLeaves(child, into);
  return into;
}

/** `plan` with each Spark input leaf replaced by `replace(leaf)`. */
function mapSparkLeaves(plan: PartitionPlan, replace: (leaf: SparkInputPartition) => PartitionPlan): PartitionPlan {
  if (plan.kind === "executor-input") return plan.from ? replace(plan.from) : plan;
  return mapChildPlans(plan, (child) => mapSparkLeaves(child, replace));
}

/** Hadoop's input split of one partition of a text input. */
export interface TextSplit {
  url: string;
  start: number;
  length: number;
}

/**
 * The plans, read as one JVM RDD where they can be: when a partition reads several partitions
 * of Spark's text input (coalesce, zip or cartesian over a textFile) or the job mixes it with
 * other inputs, tspark's worker reads the splits Hadoop planned itself instead, which it can
 * for local files (plain or gzip); anything else is refused with what would run.
 */
export function withReadableInput(tasks: PartitionTask[], splitsOf: (rdd: string) => TextSplit[]): PartitionTask[] {
  const leaves = tasks.map((t) => sparkLeaves(t.plan));
  if (leaves.every((l) => l.length === 0) || leaves.every((l) => l.length === 1)) return tasks;
  const splits = new Map<string, TextSplit[]>();
  return tasks.map(({ partition: p, plan }) => ({ partition: p, plan: mapSparkLeaves(plan, ({ rdd, partition, records }) => {
    if (records !== "lines") throw new TsparkError("INVALID_ARGUMENT", "on Spark, a partition that reads several partitions of a wholeTextFiles, binaryFiles or objectFile input (coalesce, zip or cartesian over one), or one of them mixed with another kind of input, does not run yet; run it on tspark's own engine (--master local[N])");
    if (!splits.has(rdd)) splits.set(rdd, splitsOf(rdd));
    const split = splits.get(rdd)![partition]!;
    const compressed = /\.(bz2|deflate|lz4|snappy|zst|zstd|br)$/i.test(split.url);
    if (!split.url.startsWith("file:") || compressed) {
      throw new TsparkError("INVALID_ARGUMENT", `on Spark, a partition that reads several partitions of a textFile (coalesce, zip or cartesian over one), or a union of a textFile with another kind of input, runs only over plain or gzip files on this machine's filesystem, not ${split.url}; run it on tspark's own engine (--master local[N])`);
    }
    return { kind: "text-file", split: { path: fileURLToPath(split.url), start: split.start, length: split.length } };
  }) }));
}

/**
 * A job over Spark's own input (a textFile read by Spark's Hadoop readers), or undefined when
 * its plans read no Spark input. Each of the job's partitions must read exactly one partition
 * of one such input: the JVM RDD the worker runs over is the union of those inputs, and each
 * Spark partition of it gets its own plan.
 */
function sparkInput(tasks: PartitionTask[]): { rdd(target: SparkTarget): Promise<JavaObject>; partitions: number[]; plans: CommandPlans; codec: InputCodec } | undefined {
  const leaves = tasks.map((t) => sparkLeaves(t.plan));
  if (leaves.every((l) => l.length === 0)) return undefined;
  if (leaves.some((l) => l.length !== 1)) throw new TsparkError("PROTOCOL", "a job's partitions must each read one partition of Spark's input (withReadableInput makes them)");
  const kinds = new Set(leaves.map(([leaf]) => leaf!.records));
  if (kinds.size > 1) throw new TsparkError("INVALID_ARGUMENT", `on Spark, a union of ${[...kinds].join(" and ")} inputs does not run yet; run it on tspark's own engine (--master local[N])`);
  const codec = INPUT_CODECS[[...kinds][0]!];
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
    codec,
    async rdd({ client }) {
      let union: JavaObject | undefined;
      for (const m of members) {
        // Held by the session's thread; this client only refers to it.
        const rdd = new JavaObject(m.rdd, "object", client);
        union = union ? ((await union.call("union", rdd)) as JavaObject) : rdd;
      }
      return union!;
    },
    plans: { byPartition: tasks.map((task, i): [number, PartitionTask] => [partitions[i]!, task]) },
  };
}

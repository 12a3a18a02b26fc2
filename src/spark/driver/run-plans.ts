/**
 * Runs tspark plans as one Spark job. Each is what one of the job's partitions computes;
 * tspark's worker runs it on an executor, as a PythonRDD's function. Over Spark's own input
 * (a textFile read by Spark's Hadoop readers) the worker's command holds one plan per Spark
 * partition and runs it over the records Spark hands it; otherwise each plan is the one record
 * of its Spark partition (read by readRDDFromFile).
 */
import { fileURLToPath } from "node:url";
import type { CommandPlans, InputCodec, OutputCodec, PartitionResult, PartitionTask } from "../task-command.js";
import { childPlans, leavesInReadOrder, mapChildPlans, type PartitionPlan, type SparkInputPartition } from "../../scheduler/plan.js";
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
const INPUT_CODECS: Record<SparkInputPartition["records"], InputCodec> = { "lines": "utf8", "text-files": "text-pairs", "binary-files": "binary-pairs", "record-batches": "batches", "shuffle-batches": "shuffle-batches" };

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
 * The plans, read as one JVM RDD where they can be. When a partition reads several partitions
 * of Spark's text input (coalesce, zip or cartesian over a textFile) or the job mixes it with
 * other inputs, tspark's worker reads the splits Hadoop planned itself instead, which it can
 * for local files (plain or gzip); anything else is refused with what would run. Shuffle
 * output stays Spark's to hand over.
 */
export function withReadableInput(tasks: PartitionTask[], splitsOf: (rdd: string) => TextSplit[]): PartitionTask[] {
  const leaves = tasks.map((t) => sparkLeaves(t.plan));
  const mixed = leaves.some((l) => l.length === 0) && leaves.some((l) => l.length > 0);
  if (!mixed && leaves.every((l) => l.length <= 1)) return tasks;
  const splits = new Map<string, TextSplit[]>();
  return tasks.map((task, i) => (!mixed && leaves[i]!.length <= 1 ? task : { partition: task.partition, plan: mapSparkLeaves(task.plan, (leaf) => {
    const { rdd, partition, records } = leaf;
    if (records === "shuffle-batches") return { kind: "executor-input", from: leaf };
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
 * What one Spark partition hands a task: a partition of one JVM RDD, or, for a task reading
 * several shuffles partitioned alike (a join, a cogroup), partition p of their union, which
 * Spark keeps co-partitioned: their frames one shuffle after another, in the order the task
 * reads them (executor-records.ts).
 */
interface Member {
  /** Names the JVM RDD: equal keys, the same RDD. */
  key: string;
  partitions: number;
  rdds: string[];
}

function memberOf(leaves: SparkInputPartition[]): { member: Member; partition: number } {
  const [first] = leaves;
  if (leaves.length === 1) return { member: { key: first!.rdd, partitions: first!.partitions, rdds: [first!.rdd] }, partition: first!.partition };
  const shuffles = leaves.map((l) => l.shuffle);
  const alike = shuffles.every((s, i) => s !== undefined && s.partitioner === shuffles[0]!.partitioner && leaves[i]!.partition === first!.partition);
  if (!alike) {
    throw new TsparkError("INVALID_ARGUMENT", "on Spark, a partition that reads several partitions of shuffled RDDs (coalesce, zip or cartesian over one, or a join of RDDs partitioned differently) does not run yet; run it on tspark's own engine (--master local[N])");
  }
  // Each shuffle once (a task may read one twice: the worker shares its frames), in reading order.
  const ids = [...new Set(shuffles.map((s) => s!.id))];
  const rdds = ids.map((id) => leaves.find((l) => l.shuffle!.id === id)!.partitionedRdd!);
  return { member: { key: `co-partitioned:${ids.join(",")}`, partitions: first!.partitions, rdds }, partition: first!.partition };
}

/**
 * A job over JVM RDDs' records (Spark's own input, or shuffles Spark moved), or undefined when
 * its plans read none. Each of the job's partitions reads one Spark partition (see Member): the
 * JVM RDD the worker runs over is the union of those RDDs, and each Spark partition of it gets
 * its own plan.
 */
function sparkInput(tasks: PartitionTask[]): { rdd(target: SparkTarget): Promise<JavaObject>; partitions: number[]; plans: CommandPlans; codec: InputCodec } | undefined {
  const leaves = tasks.map((t) => leavesInReadOrder(t.plan).flatMap((l) => (l.from ? [l.from] : [])));
  if (leaves.every((l) => l.length === 0)) return undefined;
  if (leaves.some((l) => l.length === 0)) throw new TsparkError("INVALID_ARGUMENT", "on Spark, a union of a shuffled RDD with a collection (parallelize, range) does not run yet; run it on tspark's own engine (--master local[N])");
  const kinds = new Set(leaves.flat().map((leaf) => leaf.records));
  if (kinds.size > 1) throw new TsparkError("INVALID_ARGUMENT", `on Spark, a union of ${[...kinds].join(" and ")} inputs does not run yet; run it on tspark's own engine (--master local[N])`);
  const codec = INPUT_CODECS[[...kinds][0]!];
  // The union of the members in order of use; a member used again from an earlier partition starts a new one.
  const members: Array<Member & { offset: number; last: number }> = [];
  let size = 0;
  const partitions = leaves.map((l) => {
    const { member, partition } = memberOf(l);
    let m = members[members.length - 1];
    if (!m || m.key !== member.key || partition <= m.last) {
      m = { ...member, offset: size, last: -1 };
      members.push(m);
      size += member.partitions;
    }
    m.last = partition;
    return m.offset + partition;
  });
  if (members.filter((m) => m.rdds.length > 1).length > 1) {
    // Spark would make the union of co-partitioned unions co-partitioned too (one partition each, not one after another).
    throw new TsparkError("INVALID_ARGUMENT", "on Spark, a union of several joins or cogroups does not run yet; run it on tspark's own engine (--master local[N])");
  }
  return {
    partitions,
    codec,
    async rdd({ client }) {
      // Held by the session's thread or by this client's shuffles; only referred to here.
      const union = async (ids: string[]): Promise<JavaObject> => {
        let u: JavaObject | undefined;
        for (const id of ids) {
          const rdd = new JavaObject(id, "object", client);
          u = u ? ((await u.call("union", rdd)) as JavaObject) : rdd;
        }
        return u!;
      };
      const rdds: string[] = [];
      for (const m of members) rdds.push(m.rdds.length === 1 ? m.rdds[0]! : (await union(m.rdds)).javaId);
      return union(rdds);
    },
    plans: { byPartition: tasks.map((task, i): [number, PartitionTask] => [partitions[i]!, task]) },
  };
}

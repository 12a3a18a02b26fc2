/**
 * Runs tspark plans as one Spark job. Each is what one of the job's partitions computes;
 * tspark's worker runs it on an executor, as a PythonRDD's function. Over Spark's own input
 * (a textFile read by Spark's Hadoop readers) the worker's command holds one plan per Spark
 * partition and runs it over the records Spark hands it; otherwise each plan is the one record
 * of its Spark partition (read by readRDDFromFile).
 */
import { fileURLToPath } from "node:url";
import type { CommandPlans, OutputCodec, PartitionResult, PartitionTask } from "../task-command.js";
import { leavesInReadOrder, rewritePlan, type PartitionPlan, type SparkInputPartition } from "../../scheduler/plan.js";
import type { JobPlanner } from "../../scheduler/job-planner.js";
import { decodeMessage } from "../../serde/message-codec.js";
import type { SerializerSpec } from "../../serde/record-serializers.js";
import { TsparkError } from "../../errors.js";
import { JavaObject, type JvmCalls, type Py4JClient } from "../py4j/py4j-client.js";
import type { SparkMinor } from "../gateway/spark-home.js";
import { encodePartitionTask, encodeTaskCommand, inRuns } from "../task-command.js";
import { collectFrames, parallelizeFrames, workerRdd } from "./jvm-rdds.js";

export interface SparkTarget {
  client: Py4JClient;
  jsc: JavaObject;
  workerExec: string;
  /** The worker processes' environment (their memory budget). */
  workerEnv: Record<string, string>;
  minor: SparkMinor;
  /** Where the tasks' accumulator additions go (none: dropped, as in the probe job). */
  accumulator?: JavaObject;
}

/** What a job's tasks receive besides their plans: broadcast values and the user's modules, through Spark. */
export interface JobResources {
  /** Spark broadcasts of tspark's broadcast values, and tspark's id -> Spark's id of each. */
  broadcasts: JavaObject[];
  broadcastIds: Array<[number, number]>;
  /** The driver's count of changes to the broadcasts Spark carries, as these ids were read. */
  broadcastEpoch: number;
  /** Module URL -> name of its bundle among Spark's added files. */
  modules: Array<[string, string]>;
  /** The Spark broadcast (among `broadcasts`) carrying the job's closures when they are large, and their file. */
  closures?: { object: JavaObject; sparkId: number; path: string };
}

const NO_RESOURCES: JobResources = { broadcasts: [], broadcastIds: [], broadcastEpoch: 0, modules: [] };

/**
 * The JVM RDD of tspark's worker running `plans` (a JavaRDD<byte[]> of `output` frames), and
 * which of its partitions are the job's, in order (undefined: all of them).
 */
export async function planRdd(target: SparkTarget, tasks: PartitionTask[], planner: JobPlanner, output: OutputCodec, resources = NO_RESOURCES, options: { outputSource?: number; outputSerializer?: SerializerSpec | undefined; barrier?: boolean } = {}): Promise<{ rdd: JavaObject; partitions: number[] | undefined }> {
  const { outputSource, outputSerializer, barrier = false } = options;
  const { client, jsc, workerExec, workerEnv, minor, accumulator } = target;
  const input = sparkInput(tasks);
  const shared = {
    classes: planner.recordClassTable(),
    serializers: planner.serializerTable(),
    closures: resources.closures ? [] : [...planner.closureBytes],
    closuresIn: resources.closures?.sparkId,
    broadcasts: resources.broadcastIds,
    broadcastEpoch: resources.broadcastEpoch,
    modules: resources.modules,
  };
  const command = encodeTaskCommand({ output, outputSource, outputSerializer, plans: input ? input.plans : { all: { kind: "executor-input" }, input: "plan" }, ...shared, ...(barrier ? { barrierTasks: tasks.length } : {}) });
  const parent = input ? await input.rdd(target) : await parallelizeFrames(client, jsc, tasks.map((t) => encodePartitionTask(t)), tasks.length);
  const rdd = await workerRdd(client, parent, { command, workerExec, env: workerEnv, minor, broadcasts: resources.broadcasts, accumulator, barrier });
  return { rdd, partitions: input?.partitions };
}

/** Runs `tasks` as one Spark job, with Spark's local `properties` (job group, description...): each one's result, in order. */
export async function runPlans(target: SparkTarget, tasks: PartitionTask[], planner: JobPlanner, resources = NO_RESOURCES, properties: Record<string, string> = {}, barrier = false): Promise<PartitionResult[]> {
  const { rdd, partitions } = await planRdd(target, tasks, planner, "result", resources, { barrier });
  const frames = await withLocalProperties(target, properties, (thread) => collectFrames(thread, rdd, partitions));
  const results = partitionResults(frames);
  if (results.length !== tasks.length) throw new TsparkError("PROTOCOL", `Spark returned ${results.length} partition results for ${tasks.length} partitions`);
  return results;
}

/** Each partition's result from the frames of all of them, in order: one frame each, or a large one's pieces (`more`) and then its last frame. */
export function partitionResults(frames: readonly Buffer[]): PartitionResult[] {
  const out: PartitionResult[] = [];
  let pieces: unknown[] | undefined;
  for (const f of frames) {
    const r = decodeMessage<PartitionResult>(f);
    if (!r.more && !pieces) {
      out.push(r);
      continue;
    }
    pieces ??= [];
    for (const x of r.records) pieces.push(x);
    if (!r.more) {
      out.push({ records: pieces });
      pieces = undefined;
    }
  }
  if (pieces) throw new TsparkError("PROTOCOL", "a partition's result ended in the middle of its pieces");
  return out;
}

/** Where a plan reads JVM RDDs' records (its `executor-input` leaves that name one), in the order it reads them. */
function sparkLeaves(plan: PartitionPlan): SparkInputPartition[] {
  return leavesInReadOrder(plan).flatMap((l) => (l.from ? [l.from] : []));
}

/** `plan` with each Spark input leaf replaced by `replace(leaf)`. */
function mapSparkLeaves(plan: PartitionPlan, replace: (leaf: SparkInputPartition) => PartitionPlan): PartitionPlan {
  return rewritePlan(plan, (node) => (node.kind === "executor-input" ? (node.from ? replace(node.from) : node) : undefined));
}

/** The local property Spark names a job, and a stage made under it, after (PySpark sets it to its call site). */
export const CALL_SITE_PROPERTY = "callSite.short";

/**
 * Runs `submit` on one JVM thread with Spark's local properties set to `properties` (what a
 * job it submits carries: its group, description, tags, the program's own; the call site an
 * RDD made there is named after), then clears them: the thread serves other calls afterwards.
 */
export async function withLocalProperties<T>(target: Pick<SparkTarget, "client" | "jsc">, properties: Record<string, string>, submit: (thread: JvmCalls) => Promise<T>): Promise<T> {
  const keys = Object.keys(properties);
  return target.client.onOneThread(async (thread) => {
    for (const k of keys) await thread.call(target.jsc, "setLocalProperty", k, properties[k]!);
    try {
      return await submit(thread);
    } finally {
      for (const k of keys) await thread.call(target.jsc, "setLocalProperty", k, null).catch(() => {});
    }
  });
}

/** Hadoop's input split of one partition of a text input. */
export interface TextSplit {
  url: string;
  start: number;
  length: number;
}

/** A text split tspark's worker can read itself: a local file, plain or gzip. */
function localTextSplit(split: TextSplit): { path: string; start: number; length: number } | undefined {
  if (!split.url.startsWith("file:") || /\.(bz2|deflate|lz4|snappy|zst|zstd|br)$/i.test(split.url)) return undefined;
  return { path: fileURLToPath(split.url), start: split.start, length: split.length };
}

/**
 * The plans, read from JVM RDDs where they can be. A partition reading several partitions of
 * Spark's text input (a coalesce, zip or cartesian over a textFile) reads the splits Hadoop
 * planned itself instead, which tspark's worker can for local files (plain or gzip); anything
 * else is refused with what would run. With `readLocalFiles`, every partition of a local
 * text file is read so: the same split, the same lines (the worker follows Hadoop's rule),
 * without the JVM decoding each line and handing it over. Shuffle output stays Spark's to
 * hand over.
 */
export function withReadableInput(tasks: PartitionTask[], splitsOf: (rdd: string) => TextSplit[], readLocalFiles: boolean): PartitionTask[] {
  const splits = new Map<string, TextSplit[]>();
  const splitOf = (leaf: SparkInputPartition): TextSplit => {
    if (!splits.has(leaf.rdd)) splits.set(leaf.rdd, splitsOf(leaf.rdd));
    return splits.get(leaf.rdd)![leaf.partition]!;
  };
  return tasks.map((task) => {
    const leaves = sparkLeaves(task.plan);
    if (leaves.every((l) => l.records === "tagged-batches")) return task;
    if (leaves.length <= 1) {
      const leaf = leaves[0];
      // Lines in another encoding than UTF-8 are read by the worker: Spark's readers decode UTF-8.
      const own = leaf?.records === "lines" && (readLocalFiles || leaf.encoding !== undefined);
      const local = own ? localText(leaf, splitOf(leaf)) : undefined;
      return local ? { partition: task.partition, plan: mapSparkLeaves(task.plan, () => local) } : task;
    }
    return { partition: task.partition, plan: mapSparkLeaves(task.plan, (leaf) => {
      const { records } = leaf;
      if (records === "tagged-batches") return { kind: "executor-input", from: leaf };
      if (records !== "lines") throw new TsparkError("INVALID_ARGUMENT", "on Spark, a partition that reads several partitions of a wholeTextFiles, binaryFiles or objectFile input (coalesce, zip or cartesian over one) does not run yet; run it on tspark's own engine (--master local[N])");
      const split = splitOf(leaf);
      const local = localText(leaf, split);
      if (!local) {
        throw new TsparkError("INVALID_ARGUMENT", `on Spark, a partition that reads several partitions of a textFile (coalesce, zip or cartesian over one) runs only over plain or gzip files on this machine's filesystem, not ${split.url}; run it on tspark's own engine (--master local[N])`);
      }
      return local;
    }) };
  });
}

/** A textFile partition as the worker reads it itself, or undefined when it cannot (another filesystem's file) and need not (UTF-8, which Spark's readers give). */
function localText(leaf: SparkInputPartition, split: TextSplit): PartitionPlan | undefined {
  const local = localTextSplit(split);
  if (!local && leaf.encoding !== undefined) {
    throw new TsparkError("INVALID_ARGUMENT", `on Spark, textFile with encoding "${leaf.encoding}" reads files on the executors' filesystem only (tspark's worker decodes them), not ${split.url}: Spark's Hadoop readers give UTF-8 lines`);
  }
  if (!local) return undefined;
  return leaf.encoding === undefined ? { kind: "text-file", split: local } : { kind: "text-file", split: local, encoding: leaf.encoding };
}

/**
 * What one Spark partition hands a task: a partition of one JVM RDD; for a task reading the
 * same partition of several shuffles partitioned alike (a join, a cogroup), partition p of
 * their union, which Spark keeps co-partitioned (their frames one shuffle after another, in
 * the order the task reads them); for a task reading other partitions of shuffles (a coalesce,
 * zip or cartesian over them), the one partition of those partitions gathered.
 */
interface Member {
  /** Names the JVM RDD: equal keys, the same RDD. */
  key: string;
  partitions: number;
  /** Whether the RDD keeps a partitioner. */
  partitioned: boolean;
  build(target: SparkTarget): Promise<JavaObject>;
}

/**
 * Tasks that read no JVM RDD, in a job whose other tasks do (a union of a shuffle's output and
 * a collection, say): each is the one record of its Spark partition, as in a job of only them.
 */
function plannedMember(tasks: PartitionTask[]): Member {
  return {
    key: "planned",
    partitions: tasks.length,
    partitioned: false,
    build: ({ client, jsc }) => parallelizeFrames(client, jsc, tasks.map((t) => encodePartitionTask(t)), tasks.length),
  };
}

function memberOf(leaves: SparkInputPartition[]): { member: Member; partition: number } {
  const [first] = leaves;
  if (leaves.length === 1) {
    const { rdd } = first!;
    return { member: { key: rdd, partitions: first!.partitions, partitioned: false, build: async ({ client }) => javaRdd(rdd, client) }, partition: first!.partition };
  }
  if (!leaves.every((l) => l.tagged !== undefined)) throw new TsparkError("PROTOCOL", "a task reads several partitions of Spark's own input (withReadableInput reads them itself)");
  // Each shuffle once (a task may read one twice: the worker shares its frames), in reading order.
  const shuffles = [...new Map(leaves.map((l) => [l.tagged!.source, l])).values()];
  if (inRuns(leaves)) {
    const rdds = shuffles.map((l) => l.partitionedRdd!);
    return { member: { key: `co-partitioned:${rdds.join(",")}`, partitions: first!.partitions, partitioned: true, build: ({ client }) => unionOf(rdds.map((id) => javaRdd(id, client))) }, partition: first!.partition };
  }
  const wanted = shuffles.map((s) => ({ rdd: s.rdd, partitions: [...new Set(leaves.filter((l) => l.tagged!.source === s.tagged!.source).map((l) => l.partition))].sort((a, b) => a - b) }));
  return { member: { key: `gathered:${JSON.stringify(wanted)}`, partitions: 1, partitioned: false, build: ({ client }) => gathered(wanted, client) }, partition: 0 };
}

/** A JVM RDD the session's thread or this client's shuffles hold (only referred to here). */
function javaRdd(id: string, client: Py4JClient): JavaObject {
  return new JavaObject(id, "object", client);
}

/** The union of Java RDDs (of any records: lines, pairs, frames), as Spark's RDD union makes it. */
async function unionOf(rdds: readonly JavaObject[]): Promise<JavaObject> {
  if (rdds.length === 1) return rdds[0]!;
  // Scala's union, not the Java API's: that one needs both sides of one kind (JavaRDD or JavaPairRDD).
  let u = (await rdds[0]!.call("rdd")) as JavaObject;
  for (const rdd of rdds.slice(1)) u = (await u.call("union", await rdd.call("rdd"))) as JavaObject;
  return (await u.call("toJavaRDD")) as JavaObject;
}

/**
 * The given partitions of a JVM RDD, in order, as an RDD with no partitioner (a Scala set is
 * the partition filter PartitionPruningRDD takes).
 */
async function pruned(rdd: JavaObject, partitions: readonly number[], client: Py4JClient): Promise<JavaObject> {
  const set = await client.construct("java.util.HashSet");
  for (const p of partitions) await set.call("add", p);
  const filter = await ((await ((await client.callStatic("scala.collection.JavaConverters", "asScalaSetConverter", set)) as JavaObject).call("asScala")) as JavaObject).call("toSet");
  const kept = (await client.callStatic("org.apache.spark.rdd.PartitionPruningRDD", "create", await rdd.call("rdd"), filter)) as JavaObject;
  return (await kept.call("toJavaRDD")) as JavaObject;
}

/** One partition holding the given partitions of JVM RDDs: each pruned to them, their union coalesced into one. */
async function gathered(wanted: ReadonlyArray<{ rdd: string; partitions: number[] }>, client: Py4JClient): Promise<JavaObject> {
  const parts: JavaObject[] = [];
  for (const { rdd, partitions } of wanted) parts.push(await pruned(javaRdd(rdd, client), partitions, client));
  return (await (await unionOf(parts)).call("coalesce", 1)) as JavaObject;
}

/**
 * A job over JVM RDDs' records (Spark's own input, shuffles Spark moved), or undefined when its
 * plans read none. Each of the job's partitions reads one Spark partition (see Member), the
 * job's tasks that read no JVM RDD a partition each of their own: the JVM RDD the worker runs
 * over is the union of those RDDs, and each Spark partition of it gets its own plan.
 */
function sparkInput(tasks: PartitionTask[]): { rdd(target: SparkTarget): Promise<JavaObject>; partitions: number[]; plans: CommandPlans } | undefined {
  const leaves = tasks.map((t) => sparkLeaves(t.plan));
  if (leaves.every((l) => l.length === 0)) return undefined;
  // The union of the members in order of use; a member used again from an earlier partition starts a new one.
  const members: Array<Member & { offset: number; last: number }> = [];
  let size = 0;
  // Tasks that read no JVM RDD share one member, in their order.
  const planned = tasks.filter((_, i) => leaves[i]!.length === 0);
  let plannedAt: (Member & { offset: number; last: number }) | undefined;
  const partitions = leaves.map((l) => {
    if (l.length === 0) {
      if (!plannedAt) {
        plannedAt = Object.assign(plannedMember(planned), { offset: size, last: -1 });
        members.push(plannedAt);
        size += planned.length;
      }
      return plannedAt.offset + ++plannedAt.last;
    }
    const { member, partition } = memberOf(l);
    let m = members[members.length - 1];
    if (!m || m.key !== member.key || partition <= m.last) {
      m = Object.assign(member, { offset: size, last: -1 });
      members.push(m);
      size += member.partitions;
    }
    m.last = partition;
    return m.offset + partition;
  });
  return {
    partitions,
    async rdd(target) {
      const rdds: JavaObject[] = [];
      for (const m of members) {
        const rdd = await m.build(target);
        // Among others, a co-partitioned union loses its partitioner: Spark's union of two would interleave them, not append one to the other.
        rdds.push(m.partitioned && members.length > 1 ? await pruned(rdd, Array.from({ length: m.partitions }, (_, i) => i), target.client) : rdd);
      }
      return unionOf(rdds);
    },
    // A planned task's plan is its record; the command only says to read it.
    plans: { byPartition: tasks.map((task, i): [number, PartitionTask] => [partitions[i]!, leaves[i]!.length === 0 ? { partition: task.partition, plan: { kind: "executor-input" } } : task]) },
  };
}

/**
 * What tspark puts in the command frame of the functions it hands Spark (the bytes PySpark
 * fills with a pickled function): the plan the worker runs over the executor's records, the
 * functions it names, and how records are framed on the way in and out. Opaque to the JVM;
 * the driver writes it (spark/driver/), the worker reads it (spark/worker/).
 */
import { flattenPlan, inflatePlan, leavesInReadOrder, rewritePlan, type ClassTable, type ClosureId, type FlatPlan, type PartitionPlan, type SparkInputPartition } from "../scheduler/plan.js";
import { encodeMessage, decodeMessage } from "../serde/message-codec.js";
import type { CustomSerializerSpec, SerializerSpec } from "../serde/record-serializers.js";
import { TsparkError } from "../errors.js";

/**
 * How records are framed between the JVM and the worker: `utf8`, one string per frame (what
 * textFile hands a worker, and what saveAsTextFile takes); `batches`, tspark's record
 * batches (serde/record-batch.ts), one batch per frame; `tagged-batches`, record batches
 * tagged with their shuffle (the reduce side of a shuffle Spark moved: shuffle-emitter.ts).
 */
export type FrameCodec = "utf8" | "batches" | "tagged-batches";

/**
 * Pairs Spark's Hadoop readers hand the worker, as two frames each: `text-pairs`, two
 * strings (wholeTextFiles: file and content); `binary-pairs`, a string and bytes
 * (binaryFiles: file and its bytes).
 */
export type PairCodec = "text-pairs" | "binary-pairs";

/**
 * `plan`: the executor's one record is a PartitionTask: the RDD's partition and its whole plan
 * (as tspark's scheduler plans it: a source and its steps), which replaces the
 * `executor-input` leaf.
 */
export type InputCodec = FrameCodec | PairCodec | "plan";

/**
 * `result`: the partition's records as one frame (an action's result, collected by the
 * driver); `utf8` writes each record as its line of text (util/format.ts formatRecord);
 * `buckets`, the map side of a shuffle: each [reduce partition, frame] record as two frames,
 * the partition as an 8-byte big-endian long and the frame (what PySpark's PairwiseRDD reads);
 * `tagged-batches`, record batches tagged with the command's `outputSource` and the task's
 * partition (a persisted RDD's partitions, as Spark keeps them).
 */
export type OutputCodec = FrameCodec | "result" | "buckets";

/**
 * What a `result` frame holds: the records (what the task added to accumulators reaches the
 * driver through Spark's accumulator, accumulator-server.ts).
 */
export interface PartitionResult {
  records: unknown[];
  /** A piece of a result too large for one frame: the partition's next frame carries more of its records. */
  more?: true;
}

/**
 * The plan a task runs: one for every partition, reading the executor's records as `input`
 * says (narrow nodes get the task's partition index at the worker); or one per Spark
 * partition (a job over JVM RDDs: Spark's own input, shuffles, planned tasks), each reading
 * its records as its leaves say (inputOf).
 */
export type CommandPlans = { all: PartitionPlan; input: InputCodec } | { byPartition: Array<[number, PartitionTask]> };

/** One partition of the job's RDD and its plan (Spark's partition index may differ from the RDD's). */
export interface PartitionTask {
  partition: number;
  plan: PartitionPlan;
}

export interface SparkTaskCommand {
  output: OutputCodec;
  /** With `tagged-batches` output: the source the frames are tagged with. */
  outputSource?: number;
  plans: CommandPlans;
  /** The functions the plans name; empty when they travel in a Spark broadcast instead (`closuresIn`). */
  closures: Array<[ClosureId, Uint8Array]>;
  /** The Spark broadcast whose file holds the closures (encodeMessage of their [id, bytes] pairs), when they are large. */
  closuresIn?: number;
  /** The record classes the tasks may decode (their closures are among the job's). */
  classes: ClassTable;
  /** The user's serializers the plans name (their functions are among the job's closures). */
  serializers?: CustomSerializerSpec[];
  /** With `tagged-batches` output (a persisted RDD Spark keeps): its serializer. */
  outputSerializer?: SerializerSpec | undefined;
  /**
   * tspark's broadcasts and the Spark broadcasts carrying their values when the command was
   * made: all of the context's, used by the task or not (the task header gives the file of
   * each it uses; a worker keeps a decoded value while the same Spark broadcast carries it).
   */
  broadcasts: Array<[number, number]>;
  /** When `broadcasts` was read, in the driver's count of changes to it: commands of older jobs' RDDs, which Spark may run again, have lower ones. */
  broadcastEpoch?: number;
  /** Module URL -> file name among Spark's added files: the bundle workers import in its place. */
  modules: Array<[string, string]>;
  /** For a barrier stage: how many tasks it has (BarrierTaskContext.getTaskInfos()). */
  barrierTasks?: number;
}

/** The environment variable telling the worker which protocol profile its executor speaks. */
export const PROFILE_ENV = "TSPARK_SPARK_PROFILE";

/** Marks tspark's command frame, so a worker handed anything else says so instead of misreading it. */
const MAGIC = Buffer.from("tspark-command/1\n");

/** A PartitionTask as it crosses to a worker: its plan flattened (V8's serializer recurses into a nested one). */
interface FlatTask {
  partition: number;
  plan: FlatPlan;
}
type FlatCommand = Omit<SparkTaskCommand, "plans"> & { plans: { all: FlatPlan; input: InputCodec } | { byPartition: Array<[number, FlatTask]> } };

const flatTask = (t: PartitionTask): FlatTask => ({ partition: t.partition, plan: flattenPlan(t.plan) });
const inflatedTask = (t: FlatTask): PartitionTask => ({ partition: t.partition, plan: inflatePlan(t.plan) });

/** A planned task as its Spark partition's one record. */
export function encodePartitionTask(task: PartitionTask): Buffer {
  return encodeMessage(flatTask(task));
}

export function decodePartitionTask(bytes: Uint8Array): PartitionTask {
  return inflatedTask(decodeMessage<FlatTask>(bytes));
}

export function encodeTaskCommand(command: SparkTaskCommand): Buffer {
  const { plans } = command;
  const flat: FlatCommand = { ...command, plans: "all" in plans ? { all: flattenPlan(plans.all), input: plans.input } : { byPartition: plans.byPartition.map(([p, t]) => [p, flatTask(t)]) } };
  return Buffer.concat([MAGIC, encodeMessage(flat)]);
}

export function decodeTaskCommand(bytes: Buffer): SparkTaskCommand {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new TsparkError("PROTOCOL", "the task's command is not a tspark command: was tspark's worker set as the executable of another application's (PySpark's) functions, or is the driver a different tspark version?");
  }
  const flat = decodeMessage<FlatCommand>(bytes.subarray(MAGIC.length));
  const { plans } = flat;
  return { ...flat, plans: "all" in plans ? { all: inflatePlan(plans.all), input: plans.input } : { byPartition: plans.byPartition.map(([p, t]) => [p, inflatedTask(t)]) } };
}

/**
 * What the task of Spark partition `partitionIndex` runs, and how it reads the executor's
 * records (`plan`: its one record is the task, see run-spark-task.ts).
 */
export function planOfPartition(plans: CommandPlans, partitionIndex: number): { task: PartitionTask; input: InputCodec } {
  if ("all" in plans) return { task: { partition: partitionIndex, plan: forPartition(plans.all, partitionIndex) }, input: plans.input };
  const task = plans.byPartition.find(([p]) => p === partitionIndex)?.[1];
  if (!task) throw new TsparkError("PROTOCOL", `the command has no plan for Spark partition ${partitionIndex}`);
  return { task, input: inputOf(task.plan) };
}

/** How each kind of JVM RDD's records reach the worker. */
const INPUT_CODECS: Record<SparkInputPartition["records"], FrameCodec | PairCodec> = { "lines": "utf8", "text-files": "text-pairs", "binary-files": "binary-pairs", "record-batches": "batches", "tagged-batches": "tagged-batches" };

/**
 * How a plan reads the executor's records: as its leaves' JVM RDDs hand them over (a task
 * reading several reads shuffles, all the same way), or, with no such leaf, as a planned
 * task (the one record is the partition and its plan).
 */
export function inputOf(plan: PartitionPlan): InputCodec {
  const codecs = new Set(leavesInReadOrder(plan).flatMap((l) => (l.from ? [INPUT_CODECS[l.from.records]] : [])));
  if (codecs.size > 1) throw new TsparkError("PROTOCOL", `a task's plan reads several kinds of records (${[...codecs].join(", ")})`);
  return [...codecs][0] ?? "plan";
}

/** The plan with its `executor-input` leaf replaced by `input`. */
export function withInput(plan: PartitionPlan, input: PartitionPlan): PartitionPlan {
  return rewritePlan(plan, (node) => (node.kind === "executor-input" ? input : undefined));
}

/** The plan with every narrow node's partition index set to the running task's. */
export function forPartition(plan: PartitionPlan, partitionIndex: number): PartitionPlan {
  return rewritePlan(plan, () => undefined, (node) => (node.kind === "narrow" ? { ...node, partitionIndex } : node));
}

/**
 * Whether a task reading several shuffles' output gets it in runs, one shuffle after another
 * in the order it reads them: the same partition of shuffles partitioned alike, which Spark's
 * union keeps co-partitioned (the driver builds the union in that order). Otherwise the
 * driver gathers the partitions in one Spark partition, in an order Spark chooses.
 */
export function inRuns(leaves: readonly SparkInputPartition[]): boolean {
  const [first] = leaves;
  return leaves.every((l) => l.tagged?.partitioner !== undefined && l.tagged.partitioner === first!.tagged!.partitioner && l.partition === first!.partition);
}

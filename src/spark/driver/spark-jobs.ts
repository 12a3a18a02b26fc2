/**
 * Runs a context's jobs on Apache Spark, through its session's gateway (spark-session.ts).
 * Each job ships its partitions as tspark plans, the same plans the local engine runs: one
 * record per Spark partition, which tspark's worker on an executor runs and answers with the
 * partition's result; or, over Spark's own input (a textFile read by Spark's Hadoop readers),
 * one plan per Spark partition in the worker's command, run over the records Spark hands it.
 * Spark schedules, retries and places the tasks; text output goes through Spark's Hadoop
 * output committer.
 *
 * Not yet on Spark: shuffles (they are planned as reads of tspark's own shuffle files).
 */
import { rmdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Lineage } from "../../scheduler/lineage.js";
import { SHUFFLE_DEPENDENCY, walkLineage } from "../../scheduler/lineage.js";
import { JobPlanner } from "../../scheduler/job-planner.js";
import type { PartitionPlan } from "../../scheduler/plan.js";
import { describeRemoteError, reviveRemoteError } from "../../scheduler/task-error.js";
import { encodeMessage, decodeMessage } from "../../serde/message-codec.js";
import { TsparkError } from "../../errors.js";
import type { SparkInstallation } from "../gateway/spark-home.js";
import { JavaObject, JvmError, Py4JClient } from "../py4j/py4j-client.js";
import { encodeTaskCommand, type PartitionResult } from "../task-command.js";
import { findTaskError } from "../task-error.js";
import { collectFrames, parallelizeFrames, workerRdd } from "./jvm-rdds.js";
import { runPlans, type SparkTarget } from "./run-plans.js";
import { outputError } from "./jvm-errors.js";
import type { SparkSession } from "./spark-session.js";

export interface SparkJobsOptions {
  session: SparkSession;
  spark: SparkInstallation;
  /** The worker executable on the executors. */
  workerExec: string;
}

/** What a job computes: a lineage's partitions, each planned as tspark plans it (steps included). */
export interface SparkJob {
  name: string;
  rdd: Lineage;
  partitions: number[];
  resultPlan(partition: number, planner: JobPlanner): PartitionPlan;
}

export class SparkJobs {
  private target: Promise<SparkTarget> | undefined;

  constructor(private readonly options: SparkJobsOptions) {}

  /** This thread's client of the session's gateway, connected on first use. */
  private connect(): Promise<SparkTarget> {
    this.target ??= (async () => {
      const { session, workerExec, spark } = this.options;
      const client = await Py4JClient.connect(session.info.port, session.info.secret);
      // The session's thread holds the JavaSparkContext; this client only refers to it.
      return { client, jsc: new JavaObject(session.info.jsc, "object", client), workerExec, minor: spark.minor };
    })();
    return this.target;
  }

  /** Runs the job on Spark; the result of each requested partition, in the order asked. */
  async runJob(job: SparkJob): Promise<PartitionResult[]> {
    const { planner, plans } = await this.plan(job);
    if (plans.length === 0) return [];
    const target = await this.connect();
    try {
      const input = sparkInput(plans);
      if (!input) return await runPlans(target, plans, planner);
      const results = await workerRdd(target.client, await input.rdd(target), { command: input.command("result", planner), workerExec: target.workerExec, minor: target.minor });
      const frames = await collectFrames(target.client, results, input.partitions);
      return frames.map((f) => decodeMessage<PartitionResult>(f));
    } catch (err) {
      throw sparkJobError(job.name, err);
    }
  }

  /**
   * Writes every partition of the job as text through Spark's Hadoop output (its committer:
   * the output appears whole or not at all, on any filesystem Spark writes to).
   */
  async saveAsTextFile(job: SparkJob, path: string, codec: "gzip" | undefined): Promise<void> {
    const { planner, plans } = await this.plan(job);
    const target = await this.connect();
    const { client } = target;
    try {
      const input = sparkInput(plans);
      const [rdd, command] = input
        ? [await input.rdd(target), input.command("utf8", planner)]
        : [await parallelizeFrames(client, target.jsc, plans.map((p) => encodeMessage(p)), plans.length), encodeTaskCommand({ input: "plan", output: "utf8", plans: { all: { kind: "executor-input" } }, closures: [...planner.closureBytes] })];
      const lines = await workerRdd(client, rdd, { command, workerExec: target.workerExec, minor: target.minor });
      const strings = (await lines.call("map", await client.construct("org.apache.spark.api.python.BytesToString"))) as JavaObject;
      if (codec) await strings.call("saveAsTextFile", path, await client.callStatic("java.lang.Class", "forName", "org.apache.hadoop.io.compress.GzipCodec"));
      else await strings.call("saveAsTextFile", path);
    } catch (err) {
      const error = outputError(path, err);
      // Hadoop's committer removes what the job wrote but not the directory; gone, a rerun can write it.
      if (!(error instanceof TsparkError && error.code === "OUTPUT_EXISTS")) removeIfEmptyLocalDir(path);
      throw sparkJobError(job.name, error);
    }
  }

  /** The job's plans, its parents prepared first (a node's prepare() may plan from its parents). */
  private async plan(job: SparkJob): Promise<{ planner: JobPlanner; plans: PartitionPlan[] }> {
    for (const node of walkLineage(job.rdd)) {
      if (node[SHUFFLE_DEPENDENCY]() && !node.isCheckpointed()) {
        throw new TsparkError("INVALID_ARGUMENT", `${job.name}: shuffles (reduceByKey, groupByKey, join, sortByKey, repartition...) do not run on Spark yet; run this program on tspark's own engine (--master local[N])`);
      }
      await node.prepare();
    }
    const planner = new JobPlanner();
    return { planner, plans: job.partitions.map((p) => job.resultPlan(p, planner)) };
  }

  /** Closes this thread's client, then stops the session's JVM. */
  async stop(): Promise<void> {
    (await this.target?.catch(() => undefined))?.client.close();
    await this.options.session.stop();
  }
}

type SparkLeaf = NonNullable<Extract<PartitionPlan, { kind: "executor-input" }>["from"]>;

/** Removes `path` if it is an empty directory on this machine (a plain path or a file: URL). */
function removeIfEmptyLocalDir(path: string): void {
  const local = path.startsWith("file:") ? fileURLToPath(path) : /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(path) ? undefined : path;
  try {
    if (local !== undefined) rmdirSync(local); // refuses a directory that is not empty
  } catch {
    /* not there, or not empty */
  }
}

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
function sparkInput(plans: PartitionPlan[]): { rdd(target: SparkTarget): Promise<JavaObject>; partitions: number[]; command(output: "result" | "utf8", planner: JobPlanner): Buffer } | undefined {
  const leaves = plans.map((p) => sparkLeaves(p));
  if (leaves.every((l) => l.length === 0)) return undefined;
  if (leaves.some((l) => l.length !== 1)) {
    throw new TsparkError("INVALID_ARGUMENT", "on Spark, a partition that reads several partitions of a textFile (coalesce, zip or cartesian over one), or a union of a textFile with another kind of input, does not run yet; repartition or run on tspark's own engine");
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
    command(output, planner) {
      const byPartition = plans.map((plan, i): [number, PartitionPlan] => [partitions[i]!, plan]);
      return encodeTaskCommand({ input: "utf8", output, plans: { byPartition }, closures: [...planner.closureBytes] });
    },
  };
}

/** A failed Spark job as tspark reports one: the user's error and line when a task threw. */
function sparkJobError(name: string, err: unknown): unknown {
  if (!(err instanceof JvmError)) return err;
  const task = findTaskError(err.javaStackTrace ?? err.message);
  if (task) {
    return new TsparkError("TASK_FAILED", `Job "${name}" failed on Spark: a task failed (after Spark's retries, spark.task.maxFailures):\n  ${describeRemoteError(task)}`, { cause: reviveRemoteError(task) });
  }
  const lost = /Python worker exited unexpectedly|crashed/.exec(err.javaMessage);
  if (lost) return new TsparkError("WORKER_LOST", `Job "${name}" failed on Spark: tspark's worker process died (${err.javaMessage})`, { cause: err });
  return err;
}

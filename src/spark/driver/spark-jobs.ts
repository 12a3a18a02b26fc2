/**
 * Runs a context's jobs on Apache Spark. The JVM starts with the first job (a SparkContext's
 * constructor cannot wait for it), through Spark's gateway, with the context's Spark
 * settings. Each job ships its partitions as tspark plans, the same plans the local engine
 * runs: one record per Spark partition, which tspark's worker on an executor runs and
 * answers with the partition's result. Spark schedules, retries and places the tasks.
 *
 * Not yet on Spark: shuffles (they are planned as reads of tspark's own shuffle files).
 */
import type { Lineage } from "../../scheduler/lineage.js";
import { SHUFFLE_DEPENDENCY, walkLineage } from "../../scheduler/lineage.js";
import { JobPlanner } from "../../scheduler/job-planner.js";
import type { PartitionPlan } from "../../scheduler/plan.js";
import { describeRemoteError, reviveRemoteError } from "../../scheduler/task-error.js";
import { encodeMessage, decodeMessage } from "../../serde/message-codec.js";
import { TsparkError } from "../../errors.js";
import { log } from "../../util/log.js";
import { TSPARK_KEYS } from "../../config/keys.js";
import { launchGateway, type SparkGateway } from "../gateway/launch-gateway.js";
import type { SparkInstallation } from "../gateway/spark-home.js";
import type { JavaObject } from "../py4j/py4j-client.js";
import { JvmError } from "../py4j/py4j-client.js";
import { encodeTaskCommand, type PartitionResult } from "../task-command.js";
import { findTaskError } from "../task-error.js";
import { collectFrames, parallelizeFrames, workerRdd, WORKER_LAUNCHER } from "./jvm-rdds.js";

export interface SparkJobsOptions {
  spark: SparkInstallation;
  /** spark-submit's --master. */
  master: string;
  appName: string;
  /** The worker executable on the executors (default: this tspark's launcher). */
  workerExec?: string;
  /** Spark's own settings (spark.*), passed through as they are. */
  sparkConf: Array<[string, string]>;
  /** Where the JVM's log lines go. */
  onOutput?: (line: string) => void;
}

/** What a job computes: a lineage's partitions, each planned as tspark plans it (steps included). */
export interface SparkJob {
  name: string;
  rdd: Lineage;
  partitions: number[];
  resultPlan(partition: number, planner: JobPlanner): PartitionPlan;
}

interface Session {
  gateway: SparkGateway;
  jsc: JavaObject;
  applicationId: string;
}

/** tspark settings that mean the same for Spark, under Spark's name. */
const SHARED_KEYS = ["tspark.task.maxFailures", "tspark.default.parallelism", "tspark.local.dir", "tspark.ui.enabled", "tspark.ui.port", "tspark.ui.showConsoleProgress", "tspark.driver.maxResultSize"];

/**
 * The Spark settings of a context's configuration: every key tspark does not know itself
 * (SparkConf stores `spark.x` as `tspark.x`), and those both mean the same, under Spark's
 * names.
 */
export function sparkConfOf(entries: Iterable<readonly [string, string]>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of entries) {
    if (!key.startsWith("tspark.") || (TSPARK_KEYS.has(key) && !SHARED_KEYS.includes(key))) continue;
    if (key === "tspark.master" || key === "tspark.app.name") continue; // passed on their own
    out.push([key.slice(1), value]);
  }
  return out;
}

/** Settings tspark's worker needs from Spark: a process per task, connected over TCP. */
const REQUIRED_CONF: Array<[string, string]> = [
  ["spark.python.use.daemon", "false"],
  ["spark.python.unix.domain.socket.enabled", "false"],
];

export class SparkJobs {
  private session: Promise<Session> | undefined;
  private stopped = false;

  constructor(private readonly options: SparkJobsOptions) {}

  /** The JVM and its JavaSparkContext, started on first use. */
  start(): Promise<Session> {
    if (this.stopped) return Promise.reject(new TsparkError("CONTEXT_STOPPED", "this SparkContext has been stopped; create a new one"));
    this.session ??= (async () => {
      const { spark, master, appName } = this.options;
      const conf = [...this.options.sparkConf.filter(([k]) => !REQUIRED_CONF.some(([r]) => r === k)), ...REQUIRED_CONF, ["spark.app.name", appName] as [string, string]];
      const gateway = await launchGateway({ spark, master, conf, onOutput: this.options.onOutput });
      try {
        const sparkConf = await gateway.client.construct("org.apache.spark.SparkConf", true);
        const jsc = await gateway.client.construct("org.apache.spark.api.java.JavaSparkContext", sparkConf);
        const sc = (await jsc.call("sc")) as JavaObject;
        const applicationId = String(await sc.call("applicationId"));
        log("INFO", "spark", `Spark ${spark.version} started application ${applicationId} (master ${master})`);
        const session = { gateway, jsc, applicationId };
        await this.probe(session);
        return session;
      } catch (err) {
        await gateway.stop();
        throw err;
      }
    })();
    return this.session;
  }

  private get workerExec(): string {
    return this.options.workerExec ?? WORKER_LAUNCHER;
  }

  /**
   * A one-record job before any of the user's: proves that the executors can start tspark's
   * worker and speak with it, so a missing Node or tspark on an executor is one clear error.
   */
  private async probe(session: Session): Promise<void> {
    const planner = new JobPlanner();
    try {
      const [result] = await this.runPlans(session, [{ kind: "range", start: 7, end: 8, step: 1 }], planner);
      if (result?.records[0] !== 7) throw new TsparkError("PROTOCOL", `the probe job answered ${JSON.stringify(result?.records)}`);
    } catch (err) {
      const why = err instanceof JvmError ? err.javaMessage : (err as Error).message;
      throw new TsparkError("SPARK_UNAVAILABLE", `Spark's executors could not run tspark's worker (${this.workerExec}): ${why}. Every executor needs Node 20+ and this executable at the same path (set another with tspark.spark.workerExec)`, { cause: err });
    }
  }

  /** The JVM's pid, once started. */
  async jvmPid(): Promise<number> {
    return (await this.start()).gateway.pid;
  }

  async applicationId(): Promise<string> {
    return (await this.start()).applicationId;
  }

  /** Runs the job on Spark; the result of each requested partition, in the order asked. */
  async runJob(job: SparkJob): Promise<PartitionResult[]> {
    // Parents first: a node's prepare() may plan from its parents (a sort samples its input).
    for (const node of walkLineage(job.rdd)) {
      if (node[SHUFFLE_DEPENDENCY]() && !node.isCheckpointed()) {
        throw new TsparkError("INVALID_ARGUMENT", `${job.name}: shuffles (reduceByKey, groupByKey, join, sortByKey, repartition...) do not run on Spark yet; run this program on tspark's own engine (--master local[N])`);
      }
      await node.prepare();
    }
    if (job.partitions.length === 0) return [];
    const session = await this.start();
    const planner = new JobPlanner();
    try {
      return await this.runPlans(session, job.partitions.map((p) => job.resultPlan(p, planner)), planner);
    } catch (err) {
      throw sparkJobError(job.name, err);
    }
  }

  /** Runs `plans` as one Spark job, one Spark partition each (its whole plan is its only record). */
  private async runPlans({ gateway, jsc }: Session, plans: PartitionPlan[], planner: JobPlanner): Promise<PartitionResult[]> {
    const command = encodeTaskCommand({ input: "plan", output: "result", plan: { kind: "executor-input" }, closures: [...planner.closureBytes] });
    const input = await parallelizeFrames(gateway.client, jsc, plans.map((p) => encodeMessage(p)), plans.length);
    const results = await workerRdd(gateway.client, input, { command, workerExec: this.workerExec, minor: this.options.spark.minor });
    const frames = await collectFrames(gateway.client, results);
    if (frames.length !== plans.length) throw new TsparkError("PROTOCOL", `Spark returned ${frames.length} partition results for ${plans.length} partitions`);
    return frames.map((f) => decodeMessage<PartitionResult>(f));
  }

  /** Stops the JavaSparkContext and the JVM (idempotent). */
  async stop(): Promise<void> {
    this.stopped = true;
    const session = await this.session?.catch(() => undefined);
    if (!session) return;
    await session.jsc.call("stop").catch(() => {});
    await session.gateway.stop();
  }
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

/**
 * Runs a context's jobs on Apache Spark, through its session's gateway (spark-session.ts).
 * Each job ships its partitions as tspark plans, the same plans the local engine runs: one
 * record per Spark partition, which tspark's worker on an executor runs and answers with the
 * partition's result; or, over Spark's own input (a textFile read by Spark's Hadoop readers),
 * one plan per Spark partition in the worker's command, run over the records Spark hands it.
 * Spark schedules, retries and places the tasks; text output goes through Spark's Hadoop
 * output committer.
 * Shuffles are Spark's (spark-shuffles.ts): a job reading one runs its map side as the stage
 * before, as PySpark's do.
 */
import { rmSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Lineage } from "../../scheduler/lineage.js";
import { SHUFFLE_DEPENDENCY, runPendingCheckpoints, walkLineage } from "../../scheduler/lineage.js";
import { JobPlanner } from "../../scheduler/job-planner.js";
import { closuresRun, type PartitionPlan } from "../../scheduler/plan.js";
import { describeRemoteError, reviveRemoteError } from "../../scheduler/task-error.js";
import { TsparkError } from "../../errors.js";
import { hasUrlScheme } from "../../io/paths.js";
import { encodeMessage } from "../../serde/message-codec.js";
import { writeWholeFile, LOCAL_FILE } from "../../util/fs-errors.js";
import { formatBytes } from "../../util/format.js";
import { log } from "../../util/log.js";
import type { SparkInstallation } from "../gateway/spark-home.js";
import { JavaObject, JvmError, Py4JClient } from "../py4j/py4j-client.js";
import type { PartitionResult, PartitionTask } from "../task-command.js";
import { findTaskError } from "../task-error.js";
import { broadcastFile } from "./jvm-rdds.js";
import { broadcastsUsedBy } from "../../api/broadcast.js";
import { CALL_SITE_PROPERTY, planRdd, runPlans, withLocalProperties, withReadableInput, type JobResources, type SparkTarget } from "./run-plans.js";
import { SparkShuffles } from "./spark-shuffles.js";
import { SparkStorage } from "./spark-storage.js";
import { AccumulatorServer } from "./accumulator-server.js";
import { FailureWatch } from "./failure-watch.js";
import type { TaskReport } from "../task-report.js";
import { awaitable } from "../../util/long-lived-promise.js";
import { ModuleBundles, isTsparkModule } from "./module-bundles.js";
import { importedModules } from "../../closure/format.js";
import { outputError } from "./jvm-errors.js";
import type { SparkSession } from "./spark-session.js";
import type { RddStorageInfo } from "../../storage/block-tracker.js";

export interface SparkJobsOptions {
  session: SparkSession;
  /** The driver's scratch directory (bundles of the user's modules are written there). */
  localDir: string;
  spark: SparkInstallation;
  /** The worker executable on the executors. */
  workerExec: string;
  /** The environment tspark's worker runs with there (its memory budget, as on tspark's engine). */
  workerEnv: Record<string, string>;
  /** Whether the worker reads local text files' splits itself (tspark.spark.readLocalFiles). */
  readLocalFiles: boolean;
  /** A successful task's report: its accumulator additions and metrics. */
  taskSucceeded(report: TaskReport): void;
}

/** What a job computes: a lineage's partitions, each planned as tspark plans it (steps included). */
export interface SparkJob {
  name: string;
  rdd: Lineage;
  partitions: number[];
  resultPlan(partition: number, planner: JobPlanner): PartitionPlan;
  /** The context's broadcast values not destroyed: tspark's id and the driver's file of each. */
  broadcasts: Array<[number, string]>;
  /** Spark's local properties the job carries (job group, description, tags, the program's own), as at the action's call. */
  properties: Record<string, string>;
}

/** Which running jobs to cancel, in Spark's terms. */
export type SparkCancel = { group: string } | { tag: string } | { all: true };

export class SparkJobs {
  private target: Promise<SparkTarget> | undefined;
  /** tspark's broadcasts as Spark broadcasts, by tspark's id (made at the first job after each was). */
  private readonly broadcasts = new Map<number, { object: JavaObject; sparkId: number }>();
  /** Counts changes to `broadcasts`: a worker takes the newest command's view of them, not an older job's. */
  private broadcastEpoch = 0;
  private bundles: ModuleBundles | undefined;
  /** Files of large jobs' closures written so far (their names' sequence). */
  private closureFiles = 0;
  /** Bundles already given to Spark's addFile. */
  private readonly addedBundles = new Set<string>();
  private sparkShuffles: SparkShuffles | undefined;
  private storage: SparkStorage | undefined;
  private accumulators: AccumulatorServer | undefined;
  private watch: FailureWatch | undefined;

  constructor(private readonly options: SparkJobsOptions) {}

  /** This thread's client of the session's gateway, connected on first use, and the accumulator server its tasks report to. */
  private connect(): Promise<SparkTarget> {
    this.target ??= (async () => {
      const { session, workerExec, workerEnv, spark } = this.options;
      const client = await Py4JClient.connect(session.info.port, session.info.secret);
      // The session's thread holds the JavaSparkContext; this client only refers to it.
      const jsc = new JavaObject(session.info.jsc, "object", client);
      this.watch = new FailureWatch(client, jsc);
      this.accumulators = await AccumulatorServer.start((report) => this.options.taskSucceeded(report));
      const accumulator = await client.construct("org.apache.spark.api.python.PythonAccumulatorV2", "127.0.0.1", this.accumulators.port, this.accumulators.secret);
      await ((await jsc.call("sc")) as JavaObject).call("register", accumulator);
      return { client, jsc, workerExec, workerEnv, minor: spark.minor, accumulator };
    })();
    return this.target;
  }

  /**
   * Runs the job on Spark; the result of each requested partition, in the order asked. Spark
   * writes the checkpoints its lineage asked for at its end; each RDD then learns its own (as
   * after a job of tspark's engine, dag-scheduler.ts), here and after a save.
   */
  async runJob(job: SparkJob): Promise<PartitionResult[]> {
    const target = await awaitable(this.connect());
    let resources: JobResources | undefined;
    try {
      const { planner, tasks } = await this.plan(target, job);
      if (tasks.length === 0) return [];
      resources = await this.resources(target, planner, tasks, job.broadcasts);
      const results = await this.watch!.during(() => runPlans(target, tasks, planner, resources, submitted(job), job.rdd.isBarrier()));
      await runPendingCheckpoints(job.rdd);
      return results;
    } catch (err) {
      throw sparkJobError(job.name, err);
    } finally {
      await this.release(resources);
    }
  }

  /**
   * Writes every partition of the job through Spark's Hadoop output (its committer: the output
   * appears whole or not at all, on any filesystem Spark writes to): as lines of text
   * (`gzip`-compressed or not), or as Spark's object file of tspark's record batches.
   */
  async save(job: SparkJob, path: string, as: { text: true; codec: "gzip" | undefined } | { text: false }): Promise<void> {
    const target = await awaitable(this.connect());
    const { client } = target;
    let resources: JobResources | undefined;
    try {
      const { planner, tasks } = await this.plan(target, job);
      resources = await this.resources(target, planner, tasks, job.broadcasts);
      const { rdd } = await planRdd(target, tasks, planner, as.text ? "utf8" : "batches", resources, { barrier: job.rdd.isBarrier() });
      const output = as.text ? ((await rdd.call("map", await client.construct("org.apache.spark.api.python.BytesToString"))) as JavaObject) : rdd;
      const codec = as.text && as.codec ? await client.callStatic("java.lang.Class", "forName", "org.apache.hadoop.io.compress.GzipCodec") : undefined;
      await this.watch!.during(() =>
        withLocalProperties(target, submitted(job), async (thread) => {
          if (!as.text) await thread.call(output, "saveAsObjectFile", path);
          else if (codec) await thread.call(output, "saveAsTextFile", path, codec);
          else await thread.call(output, "saveAsTextFile", path);
        }),
      );
      await runPendingCheckpoints(job.rdd);
    } catch (err) {
      const error = outputError(path, err);
      // Hadoop's committer removes what the job wrote but not the directory; gone, a rerun can write it.
      if (!(error instanceof TsparkError && error.code === "OUTPUT_EXISTS")) removeIfEmptyLocalDir(path);
      throw sparkJobError(job.name, error);
    } finally {
      await this.release(resources);
    }
  }

  /** What only this job used: the broadcast of its large closures, and their file. */
  private async release(resources: JobResources | undefined): Promise<void> {
    const closures = resources?.closures;
    if (!closures) return;
    rmSync(closures.path, { force: true });
    await closures.object.call("destroy").catch(() => {});
  }

  /**
   * `Broadcast.unpersist()`: the next job that uses the value broadcasts its file again, as a
   * new Spark broadcast; each worker drops its decoded value at its next task of a newer job,
   * whose command no longer names the old one as the value's carrier. The old Spark broadcast is left to Spark's context
   * cleaner (once this handle is garbage, the Py4J client releases it): the executors' copies
   * go when no JVM RDD made before (a shuffle's map side, a persisted RDD) lists it. Not
   * Spark's unpersist now, as PySpark's is: an executor keeps the decoded broadcast, whose
   * file that unpersist deletes, and a later computation of such an RDD (an evicted block, a
   * lost shuffle) hands the worker the deleted file.
   */
  unpersistBroadcast(id: number): void {
    // Not released here: a job being planned may hold the object, and send it to the JVM later.
    if (this.broadcasts.delete(id)) this.broadcastEpoch++;
  }

  /**
   * What the job's tasks need besides their plans, given to Spark: broadcast values, the
   * user's modules, and the job's closures when they are large (as PySpark broadcasts a large
   * command: Spark then ships them to each executor once, not in every task).
   */
  private async resources(target: SparkTarget, planner: JobPlanner, tasks: readonly PartitionTask[], live: Array<[number, string]>): Promise<JobResources> {
    const classes = planner.recordClassTable(); // its closures travel with the job's
    // Only the broadcasts the functions its tasks run use, as PySpark attaches: a JVM RDD that
    // Spark may compute again lists no other. (Not every captured function: planning a read of
    // a persisted RDD captures the functions that computed it.)
    const run = closuresRun(tasks.map((t) => t.plan), classes, planner.serializerTable());
    const used = broadcastsUsedBy([...run].flatMap((id) => planner.closureBytes.get(id) ?? []));
    const needed = live.filter(([id]) => used.has(id));
    const broadcasts = await this.sparkBroadcasts(target, live, needed);
    // Every broadcast Spark carries now, used here or not, those attached as attached: workers
    // keep what the job's other stages use decoded, and the epoch says which view is newest.
    const carried = new Map([...this.broadcasts].map(([id, b]) => [id, b.sparkId]));
    needed.forEach(([id], i) => carried.set(id, broadcasts[i]!.sparkId));
    const resources: JobResources = { broadcasts: broadcasts.map((b) => b.object), broadcastIds: [...carried], broadcastEpoch: this.broadcastEpoch, modules: await this.shipModules(target, planner) };
    const closures = [...planner.closureBytes];
    const size = closures.reduce((n, [, b]) => n + b.length, 0);
    if (size > CLOSURE_BROADCAST_BYTES) {
      const path = join(this.options.localDir, `closures-${this.closureFiles++}`);
      writeWholeFile(path, encodeMessage(closures), LOCAL_FILE);
      resources.closures = { ...(await broadcastFile(target.client, target.jsc, path)), path };
      resources.broadcasts.push(resources.closures.object);
      log("INFO", "spark", `the job's functions (${formatBytes(size)}) travel as Spark broadcast ${resources.closures.sparkId}`);
    }
    return resources;
  }

  /**
   * The `needed` broadcast values as Spark broadcasts (PySpark's PythonBroadcast of the
   * value's file), made at the first job needing each: Spark ships each to the executors
   * once, and tells each task where its copy is. Those no longer `live` (destroyed) are
   * destroyed in Spark too.
   */
  private async sparkBroadcasts({ client, jsc }: SparkTarget, live: Array<[number, string]>, needed: Array<[number, string]>): Promise<Array<{ object: JavaObject; sparkId: number }>> {
    const liveIds = new Set(live.map(([id]) => id));
    for (const [id, b] of this.broadcasts) {
      if (liveIds.has(id)) continue;
      this.broadcasts.delete(id);
      this.broadcastEpoch++;
      await b.object.call("destroy").catch(() => {});
    }
    // Gathered here: an unpersist may drop a map entry while a broadcast is being made.
    const out: Array<{ object: JavaObject; sparkId: number }> = [];
    for (const [id, path] of needed) {
      let b = this.broadcasts.get(id);
      if (!b) {
        b = await broadcastFile(client, jsc, path);
        this.broadcasts.set(id, b);
        this.broadcastEpoch++;
      }
      out.push(b);
    }
    return out;
  }

  /**
   * The modules the job's functions import, bundled and added to Spark's files (once each),
   * so that executors without the driver's filesystem import them: module URL -> bundle name.
   */
  private async shipModules({ jsc }: SparkTarget, planner: JobPlanner): Promise<Array<[string, string]>> {
    this.bundles ??= new ModuleBundles(join(this.options.localDir, "modules"));
    const out = new Map<string, string>();
    for (const [, bytes] of planner.closureBytes) {
      for (const { url, system } of importedModules(bytes)) {
        if (out.has(url) || isTsparkModule(url)) continue;
        const bundle = await this.bundles.bundle(url, system);
        if (!bundle) continue;
        if (!this.addedBundles.has(bundle.name)) {
          await jsc.call("addFile", bundle.path);
          this.addedBundles.add(bundle.name);
        }
        out.set(url, bundle.name);
      }
    }
    return [...out];
  }

  /**
   * The job's plans, its parents prepared first (a node's prepare() may plan from its parents),
   * the shuffles it reads made in Spark, upstream ones first, and the persisted RDDs it reads
   * read from Spark's storage.
   */
  private async plan(target: SparkTarget, job: SparkJob): Promise<{ planner: JobPlanner; tasks: PartitionTask[] }> {
    const shuffles = this.shuffles(target);
    const nodes = new Map<number, Lineage>();
    for (const node of walkLineage(job.rdd)) {
      nodes.set(node.id, node);
      await node.prepare();
      const dep = node[SHUFFLE_DEPENDENCY]();
      if (dep && !node.isCheckpointed()) await shuffles.ensure(dep, (tasks, planner, name) => this.mapSide(target, tasks, planner, name, job.broadcasts, nodes, dep.parent.isBarrier()));
    }
    const planner = new JobPlanner();
    const tasks: PartitionTask[] = [];
    for (const partition of job.partitions) tasks.push({ partition, plan: await this.readStored(target, shuffles.readPlan(job.resultPlan(partition, planner)), job.broadcasts, nodes) });
    return { planner, tasks: this.readable(tasks) };
  }

  /** `plan` reading its persisted partitions from Spark's storage (spark-storage.ts). */
  private readStored(target: SparkTarget, plan: PartitionPlan, live: Array<[number, string]>, nodes: Map<number, Lineage>): Promise<PartitionPlan> {
    this.storage ??= new SparkStorage(target.client);
    return this.storage.readPlan(plan, (id) => nodes.get(id), (p) => this.shuffles(target).readPlan(p), async (tasks, planner, name, source, serializer) => {
      const { rdd, partitions } = await planRdd(target, this.readable(tasks), planner, "tagged-batches", await this.resources(target, planner, tasks, live), { outputSource: source, outputSerializer: serializer });
      if (partitions && partitions.some((p, i) => p !== i)) throw new TsparkError("PROTOCOL", `${name} would not read its input's partitions in order`);
      await rdd.call("setName", name);
      return rdd;
    });
  }

  /** Cancels Spark's running jobs of a group, of a tag, or all of them (each fails with JOB_CANCELLED). */
  async cancel(which: SparkCancel): Promise<void> {
    const { jsc } = await awaitable(this.connect());
    if ("group" in which) await jsc.call("cancelJobGroup", which.group);
    else if ("tag" in which) await ((await jsc.call("sc")) as JavaObject).call("cancelJobsWithTag", which.tag);
    else await jsc.call("cancelAllJobs");
  }

  /** Whether Spark checkpointed RDD `rddId` (after a job that computed it), and where. */
  async checkpointState(rddId: number): Promise<{ done: boolean; file: string | undefined }> {
    return (await this.storage?.checkpointState(rddId)) ?? { done: false, file: undefined };
  }

  /** What Spark keeps of each persisted RDD (spark-storage.ts). */
  async storageInfo(): Promise<RddStorageInfo[]> {
    const { jsc } = await awaitable(this.connect());
    return (await this.storage?.storageInfo((await jsc.call("sc")) as JavaObject)) ?? [];
  }

  /** Drops a persisted RDD's partitions from Spark's storage. */
  async unpersist(rddId: number): Promise<void> {
    await this.storage?.unpersist(rddId);
  }

  private readable(tasks: PartitionTask[]): PartitionTask[] {
    return withReadableInput(tasks, (rdd) => this.options.session.textFileSplits(rdd), this.options.readLocalFiles);
  }

  private shuffles(target: SparkTarget): SparkShuffles {
    return (this.sparkShuffles ??= new SparkShuffles(target));
  }

  /**
   * The map side of a shuffle: its worker RDD, handing Spark [reduce partition, frame] pairs.
   * What it ships stays shipped (a large closures' broadcast too): Spark may run it again to
   * recompute lost shuffle output, for as long as the application runs.
   */
  private async mapSide(target: SparkTarget, planned: PartitionTask[], planner: JobPlanner, name: string, live: Array<[number, string]>, nodes: Map<number, Lineage>, barrier: boolean): Promise<JavaObject> {
    const tasks: PartitionTask[] = [];
    for (const t of planned) tasks.push({ partition: t.partition, plan: await this.readStored(target, t.plan, live, nodes) });
    const resources = await this.resources(target, planner, tasks, live);
    const { rdd, partitions } = await planRdd(target, this.readable(tasks), planner, "buckets", resources, { barrier });
    if (partitions && partitions.some((p, i) => p !== i)) throw new TsparkError("PROTOCOL", `the map side of ${name} would not read its input's partitions in order`);
    await rdd.call("setName", name);
    return rdd;
  }

  /** Closes this thread's client, then stops the session's JVM, then the accumulator server. */
  async stop(): Promise<void> {
    (await this.target?.catch(() => undefined))?.client.close();
    await this.options.session.stop();
    this.accumulators?.close();
  }
}

/**
 * The local properties a job is submitted with: the program's, and its call site (`collect at
 * app.ts:9`), which Spark names the job and its result stage after, as PySpark sets it.
 */
function submitted(job: SparkJob): Record<string, string> {
  return { ...job.properties, [CALL_SITE_PROPERTY]: job.name };
}

/** Closures above this size travel as a Spark broadcast (Spark's spark.broadcast.UDFCompressionThreshold default). */
const CLOSURE_BROADCAST_BYTES = 1 << 20;

/** Removes `path` if it is an empty directory on this machine (a plain path or a file: URL). */
function removeIfEmptyLocalDir(path: string): void {
  const local = path.startsWith("file:") ? fileURLToPath(path) : hasUrlScheme(path) ? undefined : path;
  try {
    if (local !== undefined) rmdirSync(local); // refuses a directory that is not empty
  } catch {
    /* not there, or not empty */
  }
}

/** A failed Spark job as tspark reports one: the user's error and line when a task threw. */
export function sparkJobError(name: string, err: unknown): unknown {
  if (!(err instanceof JvmError)) return err;
  const task = findTaskError(err.javaStackTrace ?? err.message);
  if (task) {
    const which = task.partition === undefined ? "a task" : `the task for partition ${task.partition} of stage ${task.stage ?? "?"}`;
    if (task.code === "UNSERIALIZABLE") return new TsparkError("UNSERIALIZABLE", `Job "${name}" failed on Spark: ${which} failed: ${task.message}`);
    return new TsparkError("TASK_FAILED", `Job "${name}" failed on Spark: ${which} failed (after Spark's retries, spark.task.maxFailures):\n  ${describeRemoteError(task)}`, { cause: reviveRemoteError(task) });
  }
  const cancelled = /Job \d+ cancelled (.*)/.exec(err.javaMessage);
  if (cancelled) return new TsparkError("JOB_CANCELLED", `Job "${name}" cancelled on Spark: ${cancelled[1]}`, { cause: err });
  const lost = /Python worker exited unexpectedly|crashed/.exec(err.javaMessage);
  if (lost) return new TsparkError("WORKER_LOST", `Job "${name}" failed on Spark: tspark's worker process died (${err.javaMessage})`, { cause: err });
  // Spark's own scheduler and serializers recurse through an RDD's lineage (as for PySpark's programs).
  if (/StackOverflowError/.test(err.javaMessage)) {
    return new TsparkError("JVM_ERROR", `Job "${name}" failed on Spark: the RDD's lineage is too long for the JVM's stack (${err.javaMessage}). Checkpoint it every few dozen iterations: sc.setCheckpointDir(dir) once, then rdd.checkpoint() before its next action (or raise the driver JVM's -Xss)`, { cause: err });
  }
  return err;
}

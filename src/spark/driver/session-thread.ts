/**
 * The driver thread that owns Spark's JVM (spark-session.ts starts it): launches the gateway,
 * creates the JavaSparkContext and proves the executors can run tspark's worker, answers the
 * calls the driver must wait for synchronously (an input's partitions), and stops the JVM.
 * The driver's jobs talk to the same gateway over their own connections.
 */
import { serveThreadCalls } from "../../util/thread-channel.js";
import { JobPlanner } from "../../scheduler/job-planner.js";
import { TsparkError } from "../../errors.js";
import { launchGateway, type SparkGateway } from "../gateway/launch-gateway.js";
import { JvmError, type JavaObject } from "../py4j/py4j-client.js";
import { runPlans } from "./run-plans.js";
import type { HadoopInput, SessionInfo, SessionStart } from "./spark-session.js";
import { inputError } from "./jvm-errors.js";

let gateway: SparkGateway | undefined;
let jsc: JavaObject | undefined;
/** JVM objects the driver refers to by id: held here so that they are not released. */
const held = new Map<string, JavaObject>();

const thread = serveThreadCalls({
  async start(options: SessionStart): Promise<SessionInfo> {
    const { spark, master, conf, workerExec, workerEnv } = options;
    gateway = await launchGateway({ spark, master, conf, onOutput: (line) => thread.notify(line) });
    try {
      const client = gateway.client;
      const sparkConf = await client.construct("org.apache.spark.SparkConf", true);
      jsc = await client.construct("org.apache.spark.api.java.JavaSparkContext", sparkConf);
      const sc = (await jsc.call("sc")) as JavaObject;
      const ui = (await sc.call("uiWebUrl")) as JavaObject;
      const info: SessionInfo = {
        port: gateway.port,
        secret: gateway.secret,
        pid: gateway.pid,
        jsc: jsc.javaId,
        applicationId: String(await sc.call("applicationId")),
        uiWebUrl: (await ui.call("isDefined")) ? String(await ui.call("get")) : undefined,
        defaultParallelism: Number(await jsc.call("defaultParallelism")),
      };
      await probe({ client, jsc, workerExec, workerEnv, minor: spark.minor });
      return info;
    } catch (err) {
      await gateway.stop();
      gateway = undefined;
      throw err;
    }
  },

  /** An input through Spark's Hadoop readers (a JavaSparkContext method): the JVM RDD's id and partition count. */
  async hadoopInput(method: HadoopInput, path: string, minPartitions: number): Promise<{ rdd: string; partitions: number }> {
    const rdd = (await live().call(method, path, minPartitions)) as JavaObject;
    try {
      const partitions = Number(await rdd.call("getNumPartitions"));
      held.set(rdd.javaId, rdd);
      return { rdd: rdd.javaId, partitions };
    } catch (err) {
      throw inputError(path, err);
    }
  },

  /** The input splits of a text input's partitions, as Hadoop planned them: URL of the file, start and length. */
  /** Spark's sc.setCheckpointDir (any Hadoop path): the directory Spark made under it for this application. */
  async setCheckpointDir(dir: string): Promise<string> {
    const sc = (await live().call("sc")) as JavaObject;
    await sc.call("setCheckpointDir", dir);
    const made = (await sc.call("getCheckpointDir")) as JavaObject;
    return String(await made.call("get"));
  },

  async textFileSplits(rddId: string): Promise<Array<{ url: string; start: number; length: number }>> {
    const rdd = held.get(rddId);
    if (!rdd) throw new TsparkError("INVALID_ARGUMENT", `no text input ${rddId} in this application`);
    const client = gateway!.client;
    const parts = (await (await rdd.call("rdd") as JavaObject).call("partitions")) as JavaObject;
    const count = Number(await rdd.call("getNumPartitions"));
    const out: Array<{ url: string; start: number; length: number }> = [];
    for (let i = 0; i < count; i++) {
      const part = (await client.arrayItem(parts, i)) as JavaObject;
      const split = (await ((await part.call("inputSplit")) as JavaObject).call("value")) as JavaObject;
      const uri = (await ((await split.call("getPath")) as JavaObject).call("toUri")) as JavaObject;
      out.push({ url: String(await uri.call("toString")), start: Number(await split.call("getStart")), length: Number(await split.call("getLength")) });
    }
    return out;
  },

  /** A question to Spark's status tracker (JavaSparkStatusTracker), answered as tspark's StatusTracker answers. */
  async status(query: StatusQuery, arg: string | number | null): Promise<unknown> {
    const client = gateway!.client;
    const tracker = (await live().call("statusTracker")) as JavaObject;
    const ints = (array: unknown) => client.ints(array as JavaObject);
    switch (query) {
      case "jobIdsForGroup":
        return ints(await tracker.call("getJobIdsForGroup", arg));
      case "activeJobIds":
        return ints(await tracker.call("getActiveJobIds"));
      case "activeStageIds":
        return ints(await tracker.call("getActiveStageIds"));
      case "jobInfo": {
        const job = (await tracker.call("getJobInfo", arg)) as JavaObject | null;
        if (!job) return undefined;
        const status = String(await ((await job.call("status")) as JavaObject).call("toString"));
        return { jobId: Number(await job.call("jobId")), stageIds: await ints(await job.call("stageIds")), status };
      }
      case "stageInfo": {
        const stage = (await tracker.call("getStageInfo", arg)) as JavaObject | null;
        if (!stage) return undefined;
        const n = async (m: string) => Number(await stage.call(m));
        return {
          stageId: await n("stageId"),
          currentAttemptId: await n("currentAttemptId"),
          name: String(await stage.call("name")),
          numTasks: await n("numTasks"),
          numActiveTasks: await n("numActiveTasks"),
          numCompletedTasks: await n("numCompletedTasks"),
          numFailedTasks: await n("numFailedTasks"),
        };
      }
    }
  },

  async addFile(path: string, recursive: boolean): Promise<void> {
    await live().call("addFile", path, recursive);
  },

  async stop(): Promise<void> {
    const g = gateway;
    gateway = undefined;
    held.clear();
    if (!g) return;
    await jsc?.call("stop").catch(() => {});
    await g.stop();
  },
});

/** What the status tracker is asked (SparkSession.statusSource). */
export type StatusQuery = "jobIdsForGroup" | "activeJobIds" | "activeStageIds" | "jobInfo" | "stageInfo";

function live(): JavaObject {
  if (!jsc || !gateway) throw new TsparkError("CONTEXT_STOPPED", "Spark's JVM is not running");
  return jsc;
}

/** The probe job's most tasks (a large spark.default.parallelism must not make it a large job). */
const MAX_PROBE_TASKS = 256;

/**
 * A job before any of the user's, with a one-record task for each of the executors' task
 * slots (those registered by then, as Spark counts them): proves that the executors can start tspark's worker and speak with it, so a missing
 * Node or tspark on an executor is one clear error, and starts their worker daemons and
 * workers, which the user's first job then finds running (as the local engine's workers are).
 */
async function probe(target: Parameters<typeof runPlans>[0]): Promise<void> {
  try {
    // Spark's default parallelism: its executors' cores (spark.default.parallelism if set), capped.
    const slots = Math.min(MAX_PROBE_TASKS, Math.max(1, Number(await target.jsc.call("defaultParallelism"))));
    const tasks = Array.from({ length: slots }, (_, partition) => ({ partition, plan: { kind: "range", start: 7, end: 8, step: 1 } as const }));
    const results = await runPlans(target, tasks, new JobPlanner());
    const wrong = results.find((r) => r?.records[0] !== 7);
    if (results.length !== slots || wrong) throw new TsparkError("PROTOCOL", `the probe job answered ${JSON.stringify(wrong?.records)}`);
  } catch (err) {
    const why = err instanceof JvmError ? err.javaMessage : (err as Error).message;
    throw new TsparkError("SPARK_UNAVAILABLE", `Spark's executors could not run tspark's worker (${target.workerExec}): ${why}. Every executor needs Node 20+ and this executable at the same path (set another with tspark.spark.workerExec)`);
  }
}

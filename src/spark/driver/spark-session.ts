/**
 * A context's Spark application: the JVM, started when the SparkContext is made, as PySpark's
 * is, so that what the API answers synchronously (sc.applicationId, sc.uiWebUrl, an input's
 * partitions) can come from Spark. The JVM belongs to a thread of the driver
 * (session-thread.ts) whose event loop talks to it while this thread waits; jobs connect to
 * the same gateway from this thread (spark-jobs.ts).
 */
import type { StatusSource } from "../../api/status-tracker.js";
import type { StatusQuery } from "./session-thread.js";
import { fileURLToPath } from "node:url";
import { ThreadChannel } from "../../util/thread-channel.js";
import { TSPARK_KEYS } from "../../config/keys.js";
import type { SparkInstallation } from "../gateway/spark-home.js";

/** The executable Spark's executors start in place of `python -m pyspark.worker`. */
export const WORKER_LAUNCHER = fileURLToPath(new URL("../worker/launcher.js", import.meta.url));

export interface SessionStart {
  spark: SparkInstallation;
  /** spark-submit's --master. */
  master: string;
  /** Spark's settings, as spark-submit's --conf. */
  conf: Array<[string, string]>;
  /** The worker executable on the executors. */
  workerExec: string;
  /** The workers' environment (Spark keeps a daemon per executable and environment, so the probe job uses the jobs' one). */
  workerEnv: Record<string, string>;
}

/** The JavaSparkContext methods reading input through Hadoop that tspark uses. */
export type HadoopInput = "textFile" | "wholeTextFiles" | "binaryFiles" | "objectFile";

/** The running application, as the driver's threads share it. */
export interface SessionInfo {
  /** The gateway's port and secret (each thread connects its own client). */
  port: number;
  secret: string;
  /** The JVM's process id. */
  pid: number;
  /** The JavaSparkContext's gateway object id. */
  jsc: string;
  applicationId: string;
  uiWebUrl: string | undefined;
  defaultParallelism: number;
}

/** tspark settings that mean the same for Spark, under Spark's name. */
const SHARED_KEYS = ["tspark.task.maxFailures", "tspark.default.parallelism", "tspark.local.dir", "tspark.ui.enabled", "tspark.ui.port", "tspark.ui.showConsoleProgress", "tspark.driver.maxResultSize", "tspark.speculation", "tspark.speculation.interval", "tspark.speculation.multiplier", "tspark.speculation.quantile", "tspark.speculation.minTaskRuntime"];

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

/**
 * Settings tspark's worker needs from Spark: workers connected over TCP. (Either worker mode
 * works: Spark's default, a daemon per executor whose workers run task after task, or a
 * process per task with `spark.python.use.daemon=false`.)
 */
const REQUIRED_CONF: Array<[string, string]> = [["spark.python.unix.domain.socket.enabled", "false"]];

/** How long starting the JVM, its context and the probe job may take. */
const START_TIMEOUT_MS = 300_000;
/** How long a synchronous question to the JVM may take (listing a remote input). */
const CALL_TIMEOUT_MS = 120_000;

export class SparkSession {
  private stopping: Promise<void> | undefined;
  /** Kills the JVM's process group if the driver exits without stop(). */
  private readonly onExit = () => {
    try {
      process.kill(-this.info.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  };

  private constructor(
    private readonly thread: ThreadChannel,
    readonly info: SessionInfo,
  ) {
    process.once("exit", this.onExit);
  }

  /** Starts the JVM and waits for it (this thread blocks, as PySpark's SparkContext() does). */
  static start(options: SessionStart & { appName: string; onOutput: (line: string) => void }): SparkSession {
    const thread = new ThreadChannel(new URL("./session-thread.js", import.meta.url), (line) => options.onOutput(String(line)));
    const conf: Array<[string, string]> = [...options.conf.filter(([k]) => !REQUIRED_CONF.some(([r]) => r === k)), ...REQUIRED_CONF, ["spark.app.name", options.appName]];
    const start: SessionStart = { spark: options.spark, master: options.master, conf, workerExec: options.workerExec, workerEnv: options.workerEnv };
    let info: SessionInfo;
    try {
      info = thread.callSync<SessionInfo>("start", [start], START_TIMEOUT_MS);
    } catch (err) {
      void thread.close();
      throw err;
    }
    return new SparkSession(thread, info);
  }

  /** An input read by Spark's Hadoop readers: its JVM RDD's id and partition count. */
  hadoopInput(method: HadoopInput, path: string, minPartitions: number): { rdd: string; partitions: number } {
    return this.thread.callSync("hadoopInput", [method, path, minPartitions], CALL_TIMEOUT_MS);
  }

  /** The Hadoop input splits of a text input's partitions (file URL, start, length), in partition order. */
  textFileSplits(rdd: string): Array<{ url: string; start: number; length: number }> {
    return this.thread.callSync("textFileSplits", [rdd], CALL_TIMEOUT_MS);
  }

  /** Spark's setCheckpointDir (a Hadoop path: local, hdfs://...): the directory it made under `dir` for the application. */
  setCheckpointDir(dir: string): string {
    return this.thread.callSync("setCheckpointDir", [dir], CALL_TIMEOUT_MS);
  }

  /** Spark's addFile: the file (a directory with `recursive`) is fetched by every executor into its SparkFiles directory. */
  addFile(path: string, recursive: boolean): void {
    this.thread.callSync("addFile", [path, recursive], CALL_TIMEOUT_MS);
  }

  /** Spark's status tracker (its jobs and stages), read synchronously as tspark's StatusTracker is. */
  statusSource(): StatusSource {
    const ask = <T>(query: StatusQuery, arg: string | number | null = null): T => this.thread.callSync<T>("status", [query, arg], CALL_TIMEOUT_MS);
    return {
      jobIdsForGroup: (group) => ask("jobIdsForGroup", group ?? null),
      activeJobIds: () => ask("activeJobIds"),
      activeStageIds: () => ask("activeStageIds"),
      jobInfo: (jobId) => ask("jobInfo", jobId),
      stageInfo: (stageId) => ask("stageInfo", stageId),
    };
  }

  /** Stops Spark's context and its JVM (idempotent). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        await this.thread.call("stop", []);
      } finally {
        process.removeListener("exit", this.onExit);
        this.onExit(); // anything of the JVM's still running
        await this.thread.close();
      }
    })();
    return this.stopping;
  }
}

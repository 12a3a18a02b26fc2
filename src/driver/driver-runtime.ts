/**
 * What a SparkContext runs on, in the driver: the backend and its workers, the schedulers,
 * the map output and block trackers, accumulators, the listener bus (web UI, event log),
 * the scratch directory, and the process's signal and exit handlers. SparkContext is the
 * user's facade over it; RDDs and other engine modules reach it with runtimeOf(sc).
 */
import os from "node:os";
import v8 from "node:v8";
import { mkdtempSync, rmSync, readdirSync, cpSync, statSync, existsSync, mkdirSync } from "node:fs";
import { basename, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import type { SparkConf } from "../api/spark-conf.js";
import { CONFIG_KEYS } from "../config/keys.js";
import { effectiveConfig } from "../config/effective-config.js";
import type { Settings } from "../config/settings.js";
import { planStep, type RDD, type StepSpec } from "../api/rdd.js";
import { Accumulator, type AccumulatorParam } from "../api/accumulator.js";
import { Broadcast } from "../api/broadcast.js";
import { StorageLevel } from "../api/storage-level.js";
import { createBackend } from "../backend/engines.js";
import { executorEnv, localWorkerNodeArgs, workerHeapFlags } from "../backend/worker-flags.js";
import { discardStandbyWorkers } from "../backend/standby-workers.js";
import type { ExecutorBackend, ExecutorInfo } from "../backend/backend.js";
import { BlockTracker, type RddStorageInfo } from "../storage/block-tracker.js";
import { DAGScheduler } from "../scheduler/dag-scheduler.js";
import { TaskScheduler } from "../scheduler/task-scheduler.js";
import { addTaskMetrics, emptyStageMetrics, type JobProperties, type JobState, type StageMetrics } from "../scheduler/job.js";
import type { TaskReport } from "../spark/task-report.js";
import { MapOutputTracker } from "../scheduler/map-output-tracker.js";
import { walkLineage } from "../scheduler/lineage.js";
import { ListenerBus, type Listener } from "../scheduler/listener-bus.js";
import type { PartitionPlan } from "../scheduler/plan.js";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import { LOCAL_DIR_ENV, WORKER_MEMORY_ENV, STORAGE_MEMORY_ENV, PROFILE_DIR_ENV } from "../worker/worker-env.js";
import { AppStatusStore } from "../ui/status-store.js";
import { EventLogWriter, makeEventLogDir } from "../ui/event-log.js";
import { shuffleDirName, spillDirName } from "../storage/local-layout.js";
import { awaitable } from "../util/long-lived-promise.js";
import type { WebUi } from "../ui/web-ui.js";
import { ExecutorLogs } from "./executor-logs.js";
import { newAccessToken } from "../ui/access-token.js";
import { ConsoleProgressBar } from "../ui/console-progress.js";
import { StatusTracker, schedulerStatus } from "../api/status-tracker.js";
import { TsparkError } from "../errors.js";
import { hasUrlScheme } from "../io/paths.js";
import { VERSION } from "../version.js";
import { userCallSite } from "../util/call-site.js";
import { setRecordClassLocator } from "../serde/record-classes.js";
import { locateRecordClass } from "../closure/capture.js";
import { log } from "../util/log.js";
import { formatBytes } from "../util/format.js";
import type { SparkCancel, SparkJobs } from "../spark/driver/spark-jobs.js";
import { SparkSession, WORKER_LAUNCHER, sparkConfOf } from "../spark/driver/spark-session.js";
import { findSpark } from "../spark/gateway/spark-home.js";
import type { JobPlanner } from "../scheduler/job-planner.js";

/** What the context cleaner removes once its owner is garbage (DriverRuntime.cleaner). */
type Garbage = { shuffle: number } | { rdd: number } | { broadcast: number; path: string } | { accumulator: number };

/** How many of Spark's stages keep the metrics of tspark's tasks (Spark's spark.ui.retainedStages default). */
const RETAINED_SPARK_STAGES = 1000;

/** What the context hands its runtime: the settings, already parsed and checked, and who runs. */
export interface DriverSettings {
  conf: SparkConf;
  settings: Settings;
  applicationId: string;
  startTime: number;
  user: string;
}

/**
 * The bytes of results one action may bring to the driver: tspark.driver.maxResultSize, but
 * never more than a quarter of the driver's heap (results are decoded there, larger than
 * their bytes), so a small --driver-memory gets a clear error instead of V8's fatal one. 0
 * (unlimited) is kept. `text` names the limit in the error.
 */
export function resultSizeLimit(maxResultSize: number, written: string, heapLimit: number): { bytes: number; text: string } {
  const ofHeap = Math.floor(heapLimit / 4);
  if (maxResultSize === 0 || maxResultSize <= ofHeap) return { bytes: maxResultSize, text: `tspark.driver.maxResultSize (${written})` };
  return { bytes: ofHeap, text: `a quarter of the driver's heap (${formatBytes(ofHeap)} of ${formatBytes(heapLimit)}; --driver-memory raises it, tspark.driver.maxResultSize is ${written})` };
}

let announceUi = true;

/** Makes a context without printing its UI's address (the shell prints it in its banner). */
export function withoutUiAnnouncement<T>(make: () => T): T {
  announceUi = false;
  try {
    return make();
  } finally {
    announceUi = true;
  }
}

export class DriverRuntime {
  readonly backend: ExecutorBackend;
  readonly tasks: TaskScheduler;
  readonly dag: DAGScheduler;
  /** When Spark runs the jobs (a Spark master, or tspark.engine=spark): its application, started with the context. */
  readonly sparkSession: SparkSession | undefined;
  /** What runs the jobs on Spark (its modules loaded only for Spark). */
  private readonly spark: Promise<SparkJobs> | undefined;
  /** Spark's application id on Spark, else the one the context made. */
  readonly applicationId: string;
  /** The Spark release running the jobs (e.g. `4.3.0`), when Spark does. */
  readonly sparkVersion: string | undefined;
  readonly mapOutputs = new MapOutputTracker();
  readonly blocks = new BlockTracker();
  /** Application events: the web UI's store and the event log listen here. */
  readonly bus = new ListenerBus();
  /** This application's scratch directory (shuffle outputs, spills); removed at stop and exit. */
  readonly localDir: string;
  /** Properties the jobs submitted next carry (SparkContext.setLocalProperty). */
  readonly localProperties = new Map<string, string>();
  /** Weakly: an accumulator the program dropped takes no more updates (its tasks held it while they ran). */
  private readonly accumulators = new Map<number, WeakRef<Accumulator<unknown>>>();
  /** Files added with addFile, by the name workers find them under, and where each came from. */
  private readonly addedFiles = new Map<string, string>();
  private nextRddId = 0;
  private nextShuffleId = 0;
  private nextAccumulatorId = 0;
  private nextBroadcastId = 0;
  /** Broadcast values not destroyed, by id: their files (Spark's jobs carry them as Spark broadcasts). */
  private readonly liveBroadcasts = new Map<number, string>();
  private stoppedFlag = false;
  /** Aborts of outputs being written (run if the driver is interrupted). */
  private readonly activeOutputs = new Set<() => void>();
  /** The progress bar of running stages (only on a terminal). */
  private readonly progressBar: ConsoleProgressBar | undefined;
  /** Set by the interactive shell: what Ctrl-C does instead of cancelling and exiting. */
  private interruptHandler: (() => void) | undefined;
  private readonly eventLog: EventLogWriter | undefined;
  private ui: WebUi | undefined;
  /** What the workers wrote to stdout and stderr, for the UI's executor log pages. */
  private readonly executorLogs = new ExecutorLogs();
  /** Resolves when the web UI listens (or failed to); jobs wait for it, so uiWebUrl is set once an action ran. */
  private readonly uiStarting: Promise<void>;
  /** Persisted RDDs already announced to the listeners. */
  private readonly announcedRdds = new Set<number>();
  /** On Spark, the metrics of tspark's tasks by Spark's stage id, for the newest RETAINED_SPARK_STAGES stages (as Spark's UI retains its newest stages). */
  private readonly sparkStageMetrics = new Map<number, StageMetrics>();
  /** Persisted RDDs the context cleaner watches. */
  private readonly cleanedRdds = new WeakSet<RDD<unknown>>();
  /**
   * Spark's ContextCleaner: what the program can no longer reach goes while it runs. A
   * shuffle's files once the RDD reading it is garbage (newShuffleId), a persisted RDD's
   * blocks once it is, a broadcast's file and workers' copies, an accumulator's entry. A job
   * holds its lineage and closures (with their broadcasts and accumulators) while it runs.
   */
  private readonly cleaner = new FinalizationRegistry<Garbage>((g) => {
    if (this.stoppedFlag) return; // stop() removes everything
    if ("shuffle" in g) {
      this.mapOutputs.unregister(g.shuffle);
      rmSync(join(this.localDir, shuffleDirName(g.shuffle)), { recursive: true, force: true });
    } else if ("rdd" in g) {
      this.unpersist(g.rdd);
    } else if ("broadcast" in g) {
      this.liveBroadcasts.delete(g.broadcast);
      rmSync(g.path, { force: true });
      this.backend.broadcastControl({ type: "dropBroadcast", broadcastId: g.broadcast });
    } else {
      this.accumulators.delete(g.accumulator);
    }
    log("DEBUG", "cleaner", `cleaned ${JSON.stringify(g)}: the program no longer refers to it`);
  });

  /**
   * SIGINT (Ctrl-C), SIGTERM and SIGHUP: cancel the jobs, remove partial output, then exit non-zero;
   * the exit handler stops the workers and removes temporary files.
   */
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (signal === "SIGINT" && this.interruptHandler) return this.interruptHandler();
    this.progressBar?.stop(); // not left drawn above the message
    process.stderr.write(`\ntspark: ${signal} received: cancelling jobs, removing partial output and temporary files\n`);
    try {
      this.dag.cancelJobs(() => true, `the driver received ${signal}`);
      for (const abort of this.activeOutputs) abort();
    } finally {
      process.exit(128 + os.constants.signals[signal]);
    }
  };

  private readonly onExit = () => {
    this.backend.pids().forEach((pid) => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    });
    rmSync(this.localDir, { recursive: true, force: true });
  };

  constructor(private readonly driver: DriverSettings) {
    // Records made on the driver (parallelize, broadcast values) may hold any of its classes.
    setRecordClassLocator(locateRecordClass);
    const { conf, settings } = driver;
    // Found before anything is made: no Spark, or an unsupported one, fails here and leaves nothing behind.
    const sparkInstallation = settings.master.engine === "spark" ? findSpark(settings.sparkHome) : undefined;
    if (sparkInstallation) discardStandbyWorkers(); // Spark's executors run the workers
    const base = settings.localDir ?? os.tmpdir();
    mkdirSync(base, { recursive: true });
    // Opened before any worker starts: a bad event log directory fails here and leaves nothing behind.
    // On Spark, Spark writes the event log (its jobs, stages and tasks), for Spark's history server.
    const eventLogUrl = settings.eventLogDir !== undefined && hasUrlScheme(settings.eventLogDir);
    if (settings.eventLogDir !== undefined && !sparkInstallation) {
      if (eventLogUrl) throw new TsparkError("CONFIG", `tspark.eventLog.dir: tspark's engine writes its event log to a local directory, not to ${settings.eventLogDir} (a URL is for Spark's, with --master spark://... or local-cluster[...])`);
      this.eventLog = new EventLogWriter(settings.eventLogDir, driver.applicationId);
      this.bus.addListener(this.eventLog.listener);
    } else if (settings.eventLogDir !== undefined && !eventLogUrl) {
      makeEventLogDir(settings.eventLogDir);
    }
    const sparkEventLog: Array<[string, string]> = settings.eventLogDir !== undefined ? [["spark.eventLog.enabled", "true"], ["spark.eventLog.dir", eventLogUrl ? settings.eventLogDir : pathToFileURL(settings.eventLogDir).href]] : [];
    const workerExec = settings.sparkWorkerExec ?? WORKER_LAUNCHER;
    // On Spark, the heap flags tspark's engine gives its workers reach them through NODE_OPTIONS (Spark starts them, with no flags of ours).
    const heapFlags = workerHeapFlags(settings);
    const profileEnv: Record<string, string> = settings.workerProfileDir !== undefined ? { [PROFILE_DIR_ENV]: settings.workerProfileDir } : {};
    const workerEnv = { [WORKER_MEMORY_ENV]: String(settings.workerMemory), NODE_OPTIONS: heapFlags.join(" "), ...profileEnv };
    try {
      // Started and waited for here, as PySpark's SparkContext() does: a Spark that cannot run
      // tspark's worker fails the constructor, and the application id and UI are Spark's.
      this.sparkSession = sparkInstallation
        ? SparkSession.start({ spark: sparkInstallation, master: settings.master.text, appName: settings.appName, workerExec, workerEnv, conf: [...sparkConfOf(conf.getAll()), ...sparkEventLog], onOutput: (line) => log("DEBUG", "spark", line) })
        : undefined;
    } catch (err) {
      this.eventLog?.close();
      throw err;
    }
    this.applicationId = this.sparkSession?.info.applicationId ?? driver.applicationId;
    // On Spark, Spark's own web UI shows the application.
    const store = settings.ui && !this.sparkSession ? new AppStatusStore() : undefined;
    if (store) this.bus.addListener((e) => store.apply(e));
    this.bus.post({ event: "applicationStart", time: driver.startTime, appId: this.applicationId, appName: settings.appName, user: driver.user, master: settings.master.text, version: VERSION });
    this.localDir = mkdtempSync(join(base, `tspark-${this.applicationId}-`));
    try {
      for (const f of settings.files) this.addFile(f, false);
    } catch (err) {
      rmSync(this.localDir, { recursive: true, force: true });
      this.eventLog?.close();
      void this.sparkSession?.stop();
      throw err;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, [LOCAL_DIR_ENV]: this.localDir, [WORKER_MEMORY_ENV]: String(settings.workerMemory), [STORAGE_MEMORY_ENV]: String(settings.storageMemory), ...profileEnv };
    Object.assign(env, executorEnv(conf.getAll()));
    const resultLimit = resultSizeLimit(settings.maxResultSize, conf.get(CONFIG_KEYS.maxResultSize.key)!, v8.getHeapStatistics().heap_size_limit);
    this.backend = createBackend(settings.master, {
      resultLimit: { bytes: resultLimit.bytes, text: resultLimit.text },
      nodeArgs: localWorkerNodeArgs(settings),
      env,
      localityWaitMs: settings.localityWait,
      heartbeatTimeoutMs: settings.workerTimeout,
      events: {
        executorAdded: (executorId, pid) => this.bus.post({ event: "executorAdded", executorId, pid }),
        executorLost: (executorId, loss) => {
          this.blocks.executorLost(executorId);
          // A dead worker's spill files are nobody's now.
          rmSync(join(this.localDir, spillDirName(loss.pid)), { recursive: true, force: true });
          const reason = this.stoppedFlag ? "stopped with the context" : loss.signal ? `killed by ${loss.signal}` : `exit code ${loss.exitCode}`;
          this.bus.post({ event: "executorRemoved", executorId, reason });
        },
        barrier: (request, reply) => this.tasks.barriers.call({ ...request, reply }),
        // A worker's output line clears the progress bar first (it is drawn again below).
        workerOutput: (executorId, stream, line) => {
          this.executorLogs.add(executorId, stream, line);
          if (this.progressBar) this.progressBar.writeAbove(`${line}\n`);
          else process.stderr.write(`${line}\n`);
        },
      },
    });
    this.sparkVersion = sparkInstallation?.version;
    const session = this.sparkSession;
    if (session && sparkInstallation) {
      // Loaded only for Spark: a local context does not pay for the Spark engine's modules at start.
      this.spark = import("../spark/driver/spark-jobs.js").then(({ SparkJobs }) => new SparkJobs({ session, spark: sparkInstallation, workerExec, localDir: this.localDir, workerEnv, readLocalFiles: settings.sparkReadLocalFiles, taskSucceeded: (report) => this.sparkTaskSucceeded(report) }));
      this.spark.catch(() => {}); // reported by the first job that awaits it
    }
    this.tasks = new TaskScheduler(this.backend, { maxFailures: settings.maxFailures, maxResultSize: resultLimit.bytes, maxResultSizeText: resultLimit.text, speculation: settings.speculation }, {
      preferredExecutor: (plan) => this.blocks.preferredExecutor(plan),
      taskEnded: (r, stage) => {
        this.blocks.update(r.executorId, r.blocks);
        for (const b of r.blocks) this.bus.post({ event: "blockUpdated", executorId: r.executorId, ...b });
        // Only a successful attempt's additions count (a retried task is never double-counted).
        if (r.ok && r.accumulators.length > 0) {
          this.mergeAccumulators(r.accumulators);
          this.bus.post({ event: "accumulatorsUpdated", time: Date.now(), stageId: stage.stageId, values: this.accumulatorValues(r.accumulators) });
        }
      },
    }, this.bus);
    this.dag = new DAGScheduler(this.tasks, this.mapOutputs, settings.maxFailures, this.bus, settings.joinKeyFilter);
    this.bus.post({ event: "environmentUpdate", runtime: this.runtimeInfo(), config: effectiveConfig(conf) });
    // The address is printed at start, once, where a person reads it (a program's log stays quiet at the default level); the shell's banner has it.
    const announce = announceUi && process.stderr.isTTY;
    this.uiStarting = store && settings.ui ? this.startUi(store, settings.ui.host, settings.ui.port, settings.ui.authenticate ? newAccessToken() : undefined, announce) : Promise.resolve();
    process.once("exit", this.onExit);
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
    process.on("SIGHUP", this.onSignal); // the terminal closed
    if (settings.showConsoleProgress && process.stderr.isTTY) {
      this.progressBar = new ConsoleProgressBar(this.statusTracker(), process.stderr);
    }
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** How many tasks may run at once. */
  get slots(): number {
    return this.sparkSession ? this.sparkSession.info.defaultParallelism : this.backend.slots;
  }

  get uiWebUrl(): string | undefined {
    return this.sparkSession ? this.sparkSession.info.uiWebUrl : this.ui?.accessUrl;
  }

  private async startUi(store: AppStatusStore, host: string, port: number, token: string | undefined, announce: boolean): Promise<void> {
    try {
      // Loaded only when the UI is on: contexts without it do not pay for the server library.
      const { WebUi } = await import("../ui/web-ui.js");
      const ui = await WebUi.start(store, { host, port, live: true, token, logs: (executorId, stream) => this.executorLogs.tail(executorId, stream) });
      if (this.stoppedFlag) await ui.close();
      else {
        this.ui = ui;
        log("INFO", "ui", `web UI at ${ui.accessUrl}`);
        if (announce) process.stderr.write(`tspark: web UI at ${ui.accessUrl}\n`);
      }
    } catch (err) {
      log("WARN", "ui", `the web UI did not start: ${(err as Error).message}`);
    }
  }

  /** Resolves once the web UI listens (its address is then in uiWebUrl) or failed to start. */
  async uiStarted(): Promise<string | undefined> {
    await this.uiStarting;
    return this.uiWebUrl;
  }

  /** Adds a listener of application events (tests, tools); returns its removal. */
  addListener(l: Listener): () => void {
    return this.bus.addListener(l);
  }

  private runtimeInfo(): Array<[string, string]> {
    return [
      ["tspark version", VERSION],
      ["Node.js version", process.version],
      ["Platform", `${process.platform} ${process.arch}`],
      ["Driver pid", String(process.pid)],
      ["Working directory", process.cwd()],
      ["Master", this.driver.settings.master.text],
      ["Application id", this.applicationId],
      ["Local directory", this.localDir],
      ...(this.eventLog ? [["Event log", this.eventLog.path] as [string, string]] : []),
    ];
  }

  ensureActive(): void {
    if (this.stoppedFlag) throw new TsparkError("CONTEXT_STOPPED", "this SparkContext has been stopped; create a new one");
  }

  // ---- RDDs and shuffles ----

  newRddId(): number {
    return this.nextRddId++;
  }

  /**
   * A new shuffle's id. Its files go once `owner` (the RDD that reads the shuffle) is garbage
   * (Spark's ContextCleaner): no job can read the shuffle again, since a job holds its lineage.
   */
  newShuffleId(owner: object): number {
    const id = this.nextShuffleId++;
    if (!this.onSpark) this.cleaner.register(owner, { shuffle: id });
    return id;
  }


  /** Map statuses of a finished shuffle (spill metrics, sizes), if it ran. */
  mapStatuses(shuffleId: number): MapStatus[] | undefined {
    return this.mapOutputs.statuses(shuffleId);
  }

  /** Plans and runs a job computing `partitions` of `rdd` with `steps` appended. */
  async runJob(rdd: RDD<unknown>, steps: StepSpec[], partitions: number[] | undefined, countResultSize: boolean): Promise<unknown[][]> {
    this.ensureActive();
    // Taken synchronously, at the action's call: later property changes do not affect this job.
    const name = `${steps.length ? steps[steps.length - 1]!.label : "collect"} at ${userCallSite()}`;
    const resultPlan = (p: number, planner: JobPlanner): PartitionPlan => {
      const base = rdd.planPartition(p, planner);
      return steps.length === 0 ? base : { kind: "narrow", parent: base, partitionIndex: p, steps: steps.map((s) => planStep(s, p, planner)) };
    };
    try {
      if (this.spark) {
        const properties = Object.fromEntries(this.localProperties);
        const results = await (await awaitable(this.spark)).runJob({ name, rdd, partitions: partitions ?? allPartitions(rdd), resultPlan, broadcasts: [...this.liveBroadcasts], properties });
        return results.map((r) => r.records);
      }
      return await this.dag.runJob({
        name,
        props: this.jobProperties(),
        rdd,
        partitions,
        countResultSize,
        resultPlan,
        beforePrepare: () => awaitable(this.uiStarting),
        afterPrepare: () => this.announcePersisted(rdd),
      });
    } finally {
      this.progressBar?.clear(); // before the program prints the result
    }
  }

  /**
   * On Spark, sets Spark's checkpoint directory (any Hadoop path; a local one made absolute)
   * and returns the directory Spark made under it; undefined on tspark's engine.
   */
  sparkCheckpointDir(dir: string): string | undefined {
    if (!this.sparkSession) return undefined;
    return this.sparkSession.setCheckpointDir(hasUrlScheme(dir) ? dir : resolvePath(dir));
  }

  /** On Spark, whether Spark checkpointed RDD `rddId`, and where (a reliable checkpoint's directory). */
  async sparkCheckpoint(rddId: number): Promise<{ done: boolean; file: string | undefined }> {
    if (!this.spark) throw new TsparkError("PROTOCOL", "sparkCheckpoint: not running on Spark");
    return (await this.spark).checkpointState(rddId);
  }

  /** Whether Spark runs the jobs. */
  get onSpark(): boolean {
    return this.spark !== undefined;
  }

  /**
   * On Spark: writes every partition of `rdd` through Spark's Hadoop output committer, as lines
   * of text (saveAsTextFile) or as Spark's object file (saveAsObjectFile).
   */
  async saveOnSpark(rdd: RDD<unknown>, path: string, as: { text: true; codec: "gzip" | undefined } | { text: false }): Promise<void> {
    this.ensureActive();
    const name = `${as.text ? "saveAsTextFile" : "saveAsObjectFile"} at ${userCallSite()}`;
    const properties = Object.fromEntries(this.localProperties);
    const jobs = await this.spark;
    if (!jobs) throw new TsparkError("INVALID_ARGUMENT", "saveOnSpark needs the Spark engine");
    await jobs.save({ name, rdd, partitions: allPartitions(rdd), resultPlan: (p, planner) => rdd.planPartition(p, planner), broadcasts: [...this.liveBroadcasts], properties }, path, as);
  }

  private jobProperties(): JobProperties {
    const tags = this.localProperties.get("spark.job.tags");
    return {
      group: this.localProperties.get("spark.jobGroup.id"),
      description: this.localProperties.get("spark.job.description"),
      tags: [...new Set(tags ? tags.split(",") : [])],
      interruptOnCancel: this.localProperties.get("spark.job.interruptOnCancel") === "true",
      localProperties: Object.fromEntries(this.localProperties),
    };
  }

  /** Tells the listeners about persisted RDDs of a job's lineage they have not seen yet. */
  private announcePersisted(rdd: RDD<unknown>): void {
    for (const r of walkLineage(rdd, { order: "pre" })) {
      const level = r.getStorageLevel();
      if (level === StorageLevel.NONE || this.announcedRdds.has(r.id)) continue;
      this.announcedRdds.add(r.id);
      this.bus.post({ event: "rddPersisted", rddId: r.id, name: r.name() ?? `RDD ${r.id} at ${r.callSite}`, numPartitions: r.getNumPartitions(), storageLevel: String(level) });
    }
  }

  /** Registers an output to abort if the driver is interrupted; returns its removal. */
  trackOutput(abort: () => void): () => void {
    this.activeOutputs.add(abort);
    return () => this.activeOutputs.delete(abort);
  }

  /** An RDD was persisted: its blocks go once the program drops it (the context cleaner). */
  persisted(rdd: RDD<unknown>): void {
    if (this.cleanedRdds.has(rdd)) return;
    this.cleanedRdds.add(rdd);
    this.cleaner.register(rdd, { rdd: rdd.id });
  }

  /** Forgets an RDD's cached blocks everywhere. */
  unpersist(rddId: number): void {
    void this.spark?.then((jobs) => jobs.unpersist(rddId)).catch((err: unknown) => log("WARN", "spark", `unpersist of RDD ${rddId}: ${(err as Error).message}`));
    this.blocks.dropRdd(rddId);
    if (this.announcedRdds.delete(rddId)) this.bus.post({ event: "rddUnpersisted", rddId });
    if (this.stoppedFlag) return;
    this.backend.broadcastControl({ type: "dropRdd", rddId });
    const dir = join(this.localDir, "blocks");
    try {
      for (const f of readdirSync(dir)) if (f.startsWith(`rdd_${rddId}_`)) rmSync(join(dir, f), { force: true });
    } catch {
      /* no disk blocks yet */
    }
  }

  /** What is kept of each persisted RDD (tests read this): by tspark's workers, or on Spark by Spark's block manager. */
  async storageInfo(): Promise<RddStorageInfo[]> {
    return this.spark ? (await this.spark).storageInfo() : this.blocks.storageInfo();
  }

  // ---- shared variables and files ----

  newBroadcast<T>(value: T): Broadcast<T> {
    const id = this.nextBroadcastId++;
    const path = join(this.localDir, `broadcast_${id}`);
    const broadcast = new Broadcast<T>(id, value, path, (bid, destroyed) => {
      if (destroyed) this.liveBroadcasts.delete(bid);
      if (this.stoppedFlag) return;
      this.backend.broadcastControl({ type: "dropBroadcast", broadcastId: bid });
      // On Spark a destroyed one is destroyed in Spark as the next job starts (spark-jobs.ts sparkBroadcasts).
      if (!destroyed) void this.spark?.then((jobs) => jobs.unpersistBroadcast(bid)).catch((err: unknown) => log("WARN", "spark", `unpersist of broadcast ${bid}: ${(err as Error).message}`));
    });
    this.liveBroadcasts.set(id, path);
    this.cleaner.register(broadcast, { broadcast: id, path });
    return broadcast;
  }

  /** Adds a successful task's accumulator updates (id, its local sum) to the driver's values. */
  private mergeAccumulators(updates: Iterable<[number, unknown]>): void {
    for (const [id, v] of updates) this.accumulators.get(id)?.deref()?._merge(v);
  }

  /** The values of the accumulators `updates` added to, as the UI shows them (short text). */
  private accumulatorValues(updates: Iterable<[number, unknown]>): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    for (const [id] of updates) {
      const acc = this.accumulators.get(id)?.deref();
      if (!acc) continue;
      const text = inspect(acc.value, { depth: 2, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 });
      out.push([id, text.length > 300 ? `${text.slice(0, 299)}…` : text]);
    }
    return out;
  }

  /** A task that succeeded on Spark: its accumulator additions, and its metrics added to its Spark stage's. */
  private sparkTaskSucceeded(report: TaskReport): void {
    this.mergeAccumulators(report.accumulators);
    let stage = this.sparkStageMetrics.get(report.stageId);
    if (!stage) {
      this.sparkStageMetrics.set(report.stageId, (stage = emptyStageMetrics()));
      if (this.sparkStageMetrics.size > RETAINED_SPARK_STAGES) this.sparkStageMetrics.delete(this.sparkStageMetrics.keys().next().value!);
    }
    addTaskMetrics(stage, report.metrics, 0);
  }

  newAccumulator<T>(value: T, param?: AccumulatorParam<T>): Accumulator<T> {
    const acc = new Accumulator<T>(this.nextAccumulatorId++, value, param);
    this.accumulators.set(acc.id, new WeakRef(acc as Accumulator<unknown>));
    this.cleaner.register(acc, { accumulator: acc.id });
    return acc;
  }

  /** Copies a file (a directory with `recursive`) to where tasks find it (SparkFiles.get). */
  addFile(path: string, recursive: boolean): void {
    const src = resolvePath(path.startsWith("file:") ? new URL(path).pathname : path);
    if (!existsSync(src)) throw new TsparkError("INPUT_NOT_FOUND", `addFile: ${path} does not exist`);
    if (statSync(src).isDirectory() && !recursive) throw new TsparkError("INVALID_ARGUMENT", `addFile: ${path} is a directory; pass recursive = true`);
    // Files are found by name (SparkFiles.get): a second file under a name already used is refused, as Spark does.
    const name = basename(src);
    const previous = this.addedFiles.get(name);
    if (previous === src) return;
    if (previous !== undefined) throw new TsparkError("INVALID_ARGUMENT", `addFile: a file named ${name} was already added (from ${previous}); ${src} cannot be added under the same name`);
    const dest = join(this.localDir, "files", name);
    mkdirSync(join(this.localDir, "files"), { recursive: true });
    cpSync(src, dest, { recursive: true });
    // On Spark, Spark's addFile ships it to every executor (each task finds it in SparkFiles).
    this.sparkSession?.addFile(dest, recursive);
    this.addedFiles.set(name, src);
  }

  // ---- jobs, stages, workers ----

  statusTracker(): StatusTracker {
    const source = this.sparkSession ? this.sparkSession.statusSource() : schedulerStatus({ jobs: this.dag.jobs, stages: this.tasks.stages });
    return new StatusTracker(source, () => this.backend.executorInfos());
  }

  /** Cancels running jobs that match (see DAGScheduler.cancelJobs). */
  cancelJobs(match: (job: JobState) => boolean, reason: string, onSpark: SparkCancel): void {
    if (this.spark) {
      void this.spark.then((jobs) => jobs.cancel(onSpark)).catch((err: unknown) => log("WARN", "spark", `cancelling jobs: ${(err as Error).message}`));
      return;
    }
    this.dag.cancelJobs(match, reason);
  }

  /**
   * The interactive shell's Ctrl-C: from now on SIGINT calls `handler` instead of
   * cancelling the jobs and exiting (the shell cancels the running job and keeps going).
   */
  setInterruptHandler(handler: (() => void) | undefined): void {
    this.interruptHandler = handler;
  }

  /** Cancels every running job and kills its running tasks at once; returns the ids. */
  interruptAllJobs(reason: string): number[] {
    const ids = this.statusTracker().getActiveJobIds();
    if (this.spark) void this.spark.then((jobs) => jobs.cancel({ all: true })).catch(() => {});
    this.dag.cancelJobs(() => true, reason, true);
    this.progressBar?.clear(); // now, before the shell prints its prompt again
    return ids;
  }

  /** A stage's metric totals (the UI and tests read these); on Spark, of a stage of Spark's (its status tracker's ids). */
  stageMetrics(stageId: number): StageMetrics | undefined {
    return this.sparkSession ? this.sparkStageMetrics.get(stageId) : this.tasks.stages.get(stageId)?.metrics;
  }

  /** Per-worker counters (the status tracker and UI build on these). */
  executorInfos(): ExecutorInfo[] {
    return this.backend.executorInfos();
  }

  /** Process ids of the worker processes. */
  workerPids(): number[] {
    return this.backend.pids();
  }

  /** Stops the workers and releases everything (the context makes it safe to call twice). */
  async stop(): Promise<void> {
    this.stoppedFlag = true;
    this.progressBar?.stop();
    await (await this.spark)?.stop();
    await this.backend.stop();
    this.bus.post({ event: "applicationEnd" });
    this.eventLog?.close();
    await this.uiStarting;
    await this.ui?.close();
    this.ui = undefined;
    process.removeListener("exit", this.onExit);
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
    process.removeListener("SIGHUP", this.onSignal);
    rmSync(this.localDir, { recursive: true, force: true });
  }
}

function allPartitions(rdd: RDD<unknown>): number[] {
  return Array.from({ length: rdd.getNumPartitions() }, (_, i) => i);
}

/**
 * SparkContext: the entry point. It owns the worker pool and the scheduler, makes input
 * RDDs, and runs the jobs that actions submit. One active context per process.
 */
import os from "node:os";
import { mkdtempSync, mkdirSync, rmSync, readdirSync, cpSync, statSync, existsSync } from "node:fs";
import { basename, join, resolve as resolvePath } from "node:path";
import { randomUUID } from "node:crypto";
import { setDriverFilesRoot } from "./spark-files.js";
import { SparkConf } from "./spark-conf.js";
import { CONFIG_KEYS } from "../config/keys.js";
import { heapMegabytes } from "../config/bytes.js";
import { parseSettings, type Settings } from "../config/settings.js";
import { effectiveConfig } from "../config/effective-config.js";
import { RDD, UnionRDD, type StepSpec, planStep } from "./rdd.js";
import {
  ParallelCollectionRDD, RangeRDD, EmptyRDD, TextFileRDD, WholeTextFilesRDD, BinaryFilesRDD, BinaryRecordsRDD, ObjectFileRDD,
} from "./rdd-sources.js";
import { LocalBackend } from "../backend/local-backend.js";
import { BlockTracker, type RddStorageInfo } from "../storage/block-tracker.js";
import { STORAGE_MEMORY_ENV, LOCAL_DIR_ENV, WORKER_MEMORY_ENV } from "../worker/worker-env.js";
import type { ExecutorInfo } from "../backend/backend.js";
import { DAGScheduler, type JobState, type JobProperties, type StageState } from "../scheduler/dag-scheduler.js";
import { StatusTracker } from "./status-tracker.js";
import { JobPlanner } from "../scheduler/job-planner.js";
import { MapOutputTracker } from "../scheduler/map-output-tracker.js";
import type { MapOutputLocation } from "../shuffle/shuffle-reader.js";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import { ShuffledRDD } from "./shuffled-rdd.js";
import { Accumulator, type AccumulatorParam } from "./accumulator.js";
import { Broadcast } from "./broadcast.js";
import "./pair-rdd.js";
import type { PartitionPlan } from "../scheduler/plan.js";
import { UNSHIPPABLE } from "../closure/hooks.js";
import { setLogThreshold, log } from "../util/log.js";
import { ConsoleProgressBar } from "../ui/console-progress.js";
import { TsparkError } from "../errors.js";
import { VERSION } from "../version.js";
import { userCallSite } from "../util/call-site.js";
import { ListenerBus, type Listener } from "../scheduler/listener-bus.js";
import { AppStatusStore } from "../ui/status-store.js";
import { EventLogWriter } from "../ui/event-log.js";
import type { WebUi } from "../ui/web-ui.js";
import { newAccessToken } from "../ui/access-token.js";
import { StorageLevel } from "./storage-level.js";

export interface SparkContextOptions {
  /** Where to run: `local`, `local[N]` or `local[*]` (default: the launcher's --master, else local[*]). */
  master?: string;
  /** The application's name (UI, logs). */
  appName?: string;
  /** More settings, as a SparkConf or an object of `tspark.*` keys. */
  conf?: SparkConf | Record<string, string | number | boolean>;
}

export { slotsForMaster } from "../config/master.js";

/**
 * Young-generation size of workers. Tasks allocate a tuple or string per record that dies
 * within a batch; with V8's default 16 MB semi-space many survive a scavenge and get copied.
 * Measured on W1 (word count, 50 MB, local[2]): GC took 1950 ms of 8100 ms per worker at
 * 16 MB, 800 ms at 32 MB and 310 ms of 4000 ms at 64 MB. The young generation is three
 * semi-spaces of resident memory, so a small buffer budget (tspark.worker.memory / 4) or
 * heap limit (/ 16) gets a smaller one: W6 with 6 MB of worker memory peaked at 280 MB RSS
 * per worker with 16 MB semi-spaces and 430 MB with 64 MB.
 */
export function workerSemiSpaceMB(workerMemoryBytes: number, heapBytes: number | undefined): number {
  const mb = Math.min(64, Math.max(16, workerMemoryBytes / 2 ** 20 / 4), heapBytes === undefined ? Infinity : heapBytes / 2 ** 20 / 16);
  return Math.max(1, Math.floor(mb));
}

export class SparkContext {
  private static active: SparkContext | undefined;
  /** Marks the context as driver-only for the closure layer (SPARK-5063). */
  readonly [UNSHIPPABLE] = "the SparkContext";
  /** tspark's version. */
  readonly version = VERSION;
  /** Where the context runs, e.g. `local[4]`. */
  readonly master: string;
  /** The application's name. */
  readonly appName: string;
  /** A unique id of this application. */
  readonly applicationId: string;
  /** When the context started (ms since the epoch). */
  readonly startTime = Date.now();
  private readonly conf: SparkConf;
  private readonly settings: Settings;
  private readonly backend: LocalBackend;
  private readonly scheduler: DAGScheduler;
  private nextRddId = 0;
  private nextShuffleId = 0;
  private readonly mapOutputs = new MapOutputTracker();
  private readonly blocks = new BlockTracker();
  private readonly accumulators = new Map<number, Accumulator<unknown>>();
  private nextAccumulatorId = 0;
  private nextBroadcastId = 0;
  private readonly runningMapStages = new Map<number, Promise<void>>();
  /** This application's scratch directory (shuffle outputs, spills); removed at stop and exit. */
  readonly localDir: string;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /** Aborts of outputs being written (run if the driver is interrupted). */
  private readonly activeOutputs = new Set<() => void>();
  /** The progress bar of running stages (only on a terminal). */
  private readonly progressBar: ConsoleProgressBar | undefined;
  /** Set by the interactive shell: what Ctrl-C does instead of cancelling and exiting. */
  private interruptHandler: (() => void) | undefined;
  /** Application events: the web UI's store and the event log listen here. */
  private readonly bus = new ListenerBus();
  private readonly eventLog: EventLogWriter | undefined;
  private ui: WebUi | undefined;
  /** Resolves when the web UI listens (or failed to); jobs wait for it, so uiWebUrl is set once an action ran. */
  private readonly uiStarting: Promise<void>;
  /** Persisted RDDs already announced to the listeners. */
  private readonly announcedRdds = new Set<number>();

  /** @internal Registers an output to abort if the driver is interrupted; returns its removal. */
  _trackOutput(abort: () => void): () => void {
    this.activeOutputs.add(abort);
    return () => this.activeOutputs.delete(abort);
  }

  /**
   * SIGINT (Ctrl-C), SIGTERM and SIGHUP: cancel the jobs, remove partial output, then exit non-zero;
   * the exit handler stops the workers and removes temporary files.
   */
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (signal === "SIGINT" && this.interruptHandler) return this.interruptHandler();
    process.stderr.write(`\ntspark: ${signal} received: cancelling jobs, removing partial output and temporary files\n`);
    try {
      this.scheduler.cancelJobs(() => true, `the driver received ${signal}`);
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

  /**
   * `new SparkContext({ master: "local[4]", appName: "wordcount" })`. Settings given here win
   * over those of the `tspark` launcher (--master, --conf), which win over defaults.
   *
   * @example
   * ```ts
   * import { SparkContext } from "tspark";
   *
   * const sc = new SparkContext({ master: "local[4]", appName: "wordcount", conf: { "tspark.worker.memory": "1g" } });
   * try {
   *   console.log(await sc.parallelize([1, 2, 3]).map((x) => x * 2).collect()); // [2, 4, 6]
   * } finally {
   *   await sc.stop();
   * }
   * ```
   */
  constructor(options: SparkContextOptions | SparkConf = {}) {
    if (SparkContext.active) {
      throw new TsparkError("CONTEXT_EXISTS", "Only one SparkContext may be active in a process; call stop() on the existing one first, or use SparkContext.getOrCreate()");
    }
    const conf = options instanceof SparkConf ? options.clone() : new SparkConf();
    if (!(options instanceof SparkConf)) {
      if (options.conf instanceof SparkConf) for (const [k, v] of options.conf.getAll()) conf.set(k, v);
      else if (options.conf) conf.setAll(options.conf);
      if (options.master !== undefined) conf.setMaster(options.master);
      if (options.appName !== undefined) conf.setAppName(options.appName);
    }
    this.conf = conf;
    // Every setting is parsed and checked first, before anything is made (event log, scratch
    // directory, workers): a bad value fails here and leaves nothing behind.
    const settings = parseSettings(conf);
    this.settings = settings;
    this.master = settings.master.text;
    this.appName = settings.appName;
    this.applicationId = `local-${this.startTime}`;
    const { slots } = settings.master;
    const { maxFailures, workerMemory, storageMemory, showConsoleProgress: showProgress } = settings;
    const maxResultSizeText = conf.get(CONFIG_KEYS.maxResultSize.key)!; // as written, for the scheduler's message
    if (settings.logLevel !== undefined) setLogThreshold(settings.logLevel);
    const base = settings.localDir ?? os.tmpdir();
    mkdirSync(base, { recursive: true });
    // Opened before any worker starts: a bad event log directory fails here and leaves nothing behind.
    if (settings.eventLogDir !== undefined) {
      this.eventLog = new EventLogWriter(settings.eventLogDir, this.applicationId);
      this.bus.addListener(this.eventLog.listener);
    }
    const store = settings.ui ? new AppStatusStore() : undefined;
    if (store) this.bus.addListener((e) => store.apply(e));
    this.bus.post({ event: "applicationStart", time: this.startTime, appId: this.applicationId, appName: this.appName, user: this.sparkUser(), master: this.master, version: VERSION });
    this.localDir = mkdtempSync(join(base, `tspark-${this.applicationId}-`));
    try {
      for (const f of settings.files) this.addFile(f);
    } catch (err) {
      rmSync(this.localDir, { recursive: true, force: true });
      this.eventLog?.close();
      throw err;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, [LOCAL_DIR_ENV]: this.localDir, [WORKER_MEMORY_ENV]: String(workerMemory), [STORAGE_MEMORY_ENV]: String(storageMemory) };
    for (const [k, v] of conf.getAll()) if (k.startsWith("tspark.executorEnv.")) env[k.slice("tspark.executorEnv.".length)] = v;
    this.backend = new LocalBackend(slots, {
      nodeArgs: [
        ...(settings.executorMemory !== undefined ? [`--max-old-space-size=${heapMegabytes(settings.executorMemory)}`] : []),
        `--max-semi-space-size=${workerSemiSpaceMB(workerMemory, settings.executorMemory)}`,
        ...settings.executorNodeOptions,
      ],
      env,
      // A worker's output line clears the progress bar first (it is drawn again below).
      echo: (line) => (this.progressBar ? this.progressBar.writeAbove(`${line}\n`) : process.stderr.write(`${line}\n`)),
    }, settings.localityWait);
    this.backend.onExecutorAdded = (executorId, pid) => this.bus.post({ event: "executorAdded", executorId, pid });
    this.backend.onExecutorLost = (executorId, loss) => {
      this.blocks.executorLost(executorId);
      const reason = this.stopped ? "stopped with the context" : loss.signal ? `killed by ${loss.signal}` : `exit code ${loss.exitCode}`;
      this.bus.post({ event: "executorRemoved", executorId, reason });
    };
    this.backend.onBarrier = (msg, reply) => this.scheduler.barriers.call({ ...msg, reply });
    this.scheduler = new DAGScheduler(this.backend, { maxFailures, maxResultSize: settings.maxResultSize, maxResultSizeText }, {
      preferredExecutor: (plan) => this.blocks.preferredExecutor(plan),
      taskEnded: (r) => {
        this.blocks.update(r.executorId, r.blocks);
        for (const b of r.blocks) this.bus.post({ event: "blockUpdated", executorId: r.executorId, ...b });
        // Only a successful attempt's additions count (a retried task is never double-counted).
        if (r.ok) for (const [id, v] of r.accumulators) this.accumulators.get(id)?._merge(v);
      },
    }, this.bus);
    this.bus.post({ event: "environmentUpdate", runtime: this.runtimeInfo(), config: effectiveConfig(conf) });
    this.uiStarting = store && settings.ui ? this.startUi(store, settings.ui.host, settings.ui.port, settings.ui.authenticate ? newAccessToken() : undefined) : Promise.resolve();
    SparkContext.active = this;
    setDriverFilesRoot(join(this.localDir, "files"));
    process.once("exit", this.onExit);
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
    process.on("SIGHUP", this.onSignal); // the terminal closed
    if (showProgress && process.stderr.isTTY) {
      this.progressBar = new ConsoleProgressBar(this.statusTracker(), process.stderr);
    }
    log("INFO", "context", `Started SparkContext ${this.applicationId} (app "${this.appName}", master ${this.master}, ${slots} worker(s), tspark ${VERSION})`);
  }

  /**
   * The active context, or a new one from `conf`.
   *
   * @example
   * ```ts
   * // The active context:
   * SparkContext.getOrCreate() === sc; // → true
   * ```
   */
  static getOrCreate(conf?: SparkConf): SparkContext {
    return SparkContext.active ?? new SparkContext(conf ?? {});
  }

  /**
   * Default number of partitions: `tspark.default.parallelism`, else the number of worker slots.
   *
   * @example
   * ```ts
   * // With --master local[2]:
   * sc.defaultParallelism; // → 2
   * sc.parallelize([1, 2, 3, 4]).getNumPartitions() === sc.defaultParallelism; // → true
   * ```
   */
  get defaultParallelism(): number {
    return this.settings.defaultParallelism ?? this.backend.slots;
  }

  /**
   * Default minimum partitions of file inputs: min(defaultParallelism, 2), as PySpark.
   *
   * @example
   * ```ts
   * sc.defaultMinPartitions; // → 2
   * ```
   */
  get defaultMinPartitions(): number {
    return Math.min(this.defaultParallelism, 2);
  }

  /**
   * The web UI's address with its access token (`http://127.0.0.1:4040/?token=…`; the bare
   * `http://127.0.0.1:4040` when tspark.ui.authenticate=false), undefined when
   * tspark.ui.enabled=false.
   * The server starts with the context; it is listening once the first action has started
   * (or after `await sc._uiStarted()`).
   *
   * @example
   * ```ts
   * await sc.parallelize([1]).count(); // → 1
   * console.log(`progress at ${sc.uiWebUrl ?? "(no UI)"}`);
   * ```
   */
  get uiWebUrl(): string | undefined {
    return this.ui?.accessUrl;
  }

  private async startUi(store: AppStatusStore, host: string, port: number, token: string | undefined): Promise<void> {
    try {
      // Loaded only when the UI is on: contexts without it do not pay for the server library.
      const { WebUi } = await import("../ui/web-ui.js");
      const ui = await WebUi.start(store, { host, port, live: true, token });
      if (this.stopped) await ui.close();
      else {
        this.ui = ui;
        log("INFO", "ui", `web UI at ${ui.accessUrl}`);
      }
    } catch (err) {
      log("WARN", "ui", `the web UI did not start: ${(err as Error).message}`);
    }
  }

  /** @internal Resolves once the web UI listens (its address is then in uiWebUrl) or failed to start. */
  async _uiStarted(): Promise<string | undefined> {
    await this.uiStarting;
    return this.uiWebUrl;
  }

  /** @internal Adds a listener of application events (tests, tools); returns its removal. */
  _addListener(l: Listener): () => void {
    return this.bus.addListener(l);
  }

  private runtimeInfo(): Array<[string, string]> {
    return [
      ["tspark version", VERSION],
      ["Node.js version", process.version],
      ["Platform", `${process.platform} ${process.arch}`],
      ["Driver pid", String(process.pid)],
      ["Working directory", process.cwd()],
      ["Master", this.master],
      ["Application id", this.applicationId],
      ["Local directory", this.localDir],
      ...(this.eventLog ? [["Event log", this.eventLog.path] as [string, string]] : []),
    ];
  }

  /** Tells the listeners about persisted RDDs of a job's lineage they have not seen yet. */
  private announcePersisted(rdd: RDD<unknown>, seen = new Set<number>()): void {
    if (seen.has(rdd.id)) return;
    seen.add(rdd.id);
    const level = rdd.getStorageLevel();
    if (level !== StorageLevel.NONE && !this.announcedRdds.has(rdd.id)) {
      this.announcedRdds.add(rdd.id);
      this.bus.post({ event: "rddPersisted", rddId: rdd.id, name: rdd.name() ?? `RDD ${rdd.id} at ${rdd.callSite}`, numPartitions: rdd.getNumPartitions(), storageLevel: String(level) });
    }
    for (const p of rdd.dependencies()) this.announcePersisted(p, seen);
  }

  /**
   * A copy of the effective configuration.
   *
   * @example
   * ```ts
   * sc.getConf().get("tspark.app.name") === sc.appName; // → true
   * sc.getConf().get("tspark.task.maxFailures"); // → "4"
   * ```
   */
  getConf(): SparkConf {
    return this.conf.clone();
  }

  /**
   * Sets the engine's log threshold: ALL, DEBUG, INFO, WARN (default), ERROR, FATAL, OFF.
   *
   * @example
   * ```ts
   * sc.setLogLevel("ERROR"); // only errors from here on
   * sc.setLogLevel("WARN");
   * ```
   */
  setLogLevel(level: string): void {
    setLogThreshold(level);
  }

  /**
   * The user running this application.
   *
   * @example
   * ```ts
   * import { userInfo } from "node:os";
   * sc.sparkUser() === userInfo().username; // → true
   * ```
   */
  sparkUser(): string {
    return process.env["SPARK_USER"] ?? os.userInfo().username;
  }

  private ensureActive(): void {
    if (this.stopped) throw new TsparkError("CONTEXT_STOPPED", "this SparkContext has been stopped; create a new one");
  }

  // ---- input ----

  /**
   * Distributes a local collection: `sc.parallelize([1, 2, 3, 4], 2)`.
   *
   * @example
   * ```ts
   * await sc.parallelize([0, 2, 3, 4, 6], 5).glom().collect(); // → [[0], [2], [3], [4], [6]]
   * await sc.parallelize(new Set(["a", "b"])).collect(); // → ["a", "b"]
   * ```
   */
  parallelize<T>(data: Iterable<T>, numSlices?: number): RDD<T> {
    this.ensureActive();
    return new ParallelCollectionRDD<T>(this, data, numSlices ?? this.defaultParallelism);
  }

  /**
   * Numbers from `start` (inclusive) to `end` (exclusive) by `step`; `sc.range(5)` → 0..4.
   *
   * @example
   * ```ts
   * await sc.range(5).collect(); // → [0, 1, 2, 3, 4]
   * await sc.range(2, 4).collect(); // → [2, 3]
   * await sc.range(1, 7, 2).collect(); // → [1, 3, 5]
   * ```
   */
  range(start: number, end?: number, step = 1, numSlices?: number): RDD<number> {
    this.ensureActive();
    if (end === undefined) [start, end] = [0, start];
    return new RangeRDD(this, start, end, step, numSlices ?? this.defaultParallelism);
  }

  /**
   * An RDD with no partitions and no records.
   *
   * @example
   * ```ts
   * await sc.emptyRDD().count(); // → 0
   * sc.emptyRDD().getNumPartitions(); // → 0
   * ```
   */
  emptyRDD<T = never>(): RDD<T> {
    this.ensureActive();
    return new EmptyRDD<T>(this);
  }

  /**
   * Lines of text files: a file, a directory, a glob, or a comma-separated list of those;
   * `.gz` files are decompressed (each is one partition).
   * `sc.textFile("logs/*.txt.gz").filter((l) => l.includes("ERROR"))`
   *
   * @example
   * ```ts
   * import { writeFileSync } from "node:fs";
   * writeFileSync("example.txt", "Hello world!\nsecond line\n");
   * await sc.textFile("example.txt").collect(); // → ["Hello world!", "second line"]
   * await sc.textFile("example.txt").filter((l) => l.startsWith("Hello")).count(); // → 1
   * ```
   */
  textFile(path: string, minPartitions?: number): RDD<string> {
    this.ensureActive();
    return new TextFileRDD(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /**
   * `[fileUrl, content]` for each file: `sc.wholeTextFiles("docs/")`.
   *
   * @example
   * ```ts
   * import { mkdirSync, writeFileSync } from "node:fs";
   * import { basename } from "node:path";
   * mkdirSync("texts", { recursive: true });
   * writeFileSync("texts/1.txt", "1");
   * writeFileSync("texts/2.txt", "2");
   * const files = await sc.wholeTextFiles("texts").collect();
   * files.map(([path, text]) => [basename(path), text]).sort(); // → [["1.txt", "1"], ["2.txt", "2"]]
   * ```
   */
  wholeTextFiles(path: string, minPartitions?: number): RDD<[string, string]> {
    this.ensureActive();
    return new WholeTextFilesRDD(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /**
   * `[fileUrl, bytes]` for each file.
   *
   * @example
   * ```ts
   * import { mkdirSync, writeFileSync } from "node:fs";
   * import { basename } from "node:path";
   * mkdirSync("bytes", { recursive: true });
   * writeFileSync("bytes/a.bin", Buffer.from([1, 2, 3]));
   * const files = await sc.binaryFiles("bytes").collect();
   * files.map(([path, bytes]) => [basename(path), bytes.length]); // → [["a.bin", 3]]
   * ```
   */
  binaryFiles(path: string, minPartitions?: number): RDD<[string, Uint8Array]> {
    this.ensureActive();
    return new BinaryFilesRDD(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /**
   * Fixed-length binary records of `recordLength` bytes.
   *
   * @example
   * ```ts
   * import { writeFileSync } from "node:fs";
   * writeFileSync("records.bin", Buffer.from([1, 2, 3, 4, 5, 6]));
   * await sc.binaryRecords("records.bin", 2).map((r) => [...r]).collect(); // → [[1, 2], [3, 4], [5, 6]]
   * ```
   */
  binaryRecords(path: string, recordLength: number): RDD<Uint8Array> {
    this.ensureActive();
    return new BinaryRecordsRDD(this, path, recordLength);
  }

  /**
   * Reads what `saveAsObjectFile` wrote (PySpark: pickleFile).
   *
   * @example
   * ```ts
   * const out = "ids";
   * await sc.parallelize([{ id: 1 }, { id: 2 }]).saveAsObjectFile(out);
   * await sc.objectFile<{ id: number }>(out).map((o) => o.id).collect(); // → [1, 2]
   * ```
   */
  objectFile<T = unknown>(path: string, minPartitions?: number): RDD<T> {
    this.ensureActive();
    return new ObjectFileRDD<T>(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /**
   * The records of all the given RDDs: `sc.union([a, b, c])`.
   *
   * @example
   * ```ts
   * await sc.union([sc.parallelize([1]), sc.parallelize([2, 3]), sc.parallelize([4])]).collect(); // → [1, 2, 3, 4]
   * ```
   */
  union<T>(rdds: RDD<T>[]): RDD<T> {
    this.ensureActive();
    if (rdds.length === 0) throw new TsparkError("INVALID_ARGUMENT", "union needs at least one RDD");
    return new UnionRDD<T>(this, rdds);
  }

  // ---- job control ----

  private readonly localProperties = new Map<string, string>();

  /**
   * Sets a property that the jobs submitted next carry, visible to tasks via TaskContext.getLocalProperty.
   *
   * @example
   * ```ts
   * sc.setLocalProperty("team", "search");
   * await sc.parallelize([1], 1).map(() => TaskContext.get()!.getLocalProperty("team")).collect(); // → ["search"]
   * sc.setLocalProperty("team", undefined); // removes it
   * ```
   */
  setLocalProperty(key: string, value: string | undefined | null): void {
    if (value === undefined || value === null) this.localProperties.delete(key);
    else this.localProperties.set(key, String(value));
  }

  /**
   * The value of a property set with setLocalProperty (or by setJobGroup: `spark.jobGroup.id`).
   *
   * @example
   * ```ts
   * sc.setLocalProperty("team", "search");
   * sc.getLocalProperty("team"); // → "search"
   * sc.setLocalProperty("team", null);
   * sc.getLocalProperty("team"); // → undefined
   * ```
   */
  getLocalProperty(key: string): string | undefined {
    return this.localProperties.get(key);
  }

  /**
   * Puts the jobs submitted next in a group, to cancel together. With `interruptOnCancel`,
   * cancelling kills their running tasks at once (their worker processes are replaced).
   *
   * @example
   * ```ts
   * sc.setJobGroup("report", "the nightly report");
   * await sc.parallelize([1, 2, 3]).count(); // → 3
   * sc.statusTracker().getJobIdsForGroup("report").length; // → 1
   * ```
   */
  setJobGroup(groupId: string, description: string, interruptOnCancel = false): void {
    this.setLocalProperty("spark.jobGroup.id", groupId);
    this.setLocalProperty("spark.job.description", description);
    this.setLocalProperty("spark.job.interruptOnCancel", String(interruptOnCancel));
  }

  /**
   * A description shown for the jobs submitted next (UI, status tracker).
   *
   * @example
   * ```ts
   * sc.setJobDescription("count the lines");
   * await sc.parallelize(["a", "b"]).count(); // → 2
   * sc.getLocalProperty("spark.job.description"); // → "count the lines"
   * ```
   */
  setJobDescription(value: string): void {
    this.setLocalProperty("spark.job.description", value);
  }

  /**
   * Adds a tag to the jobs submitted next (see cancelJobsWithTag).
   *
   * @example
   * ```ts
   * sc.addJobTag("etl");
   * sc.getJobTags(); // → new Set(["etl"])
   * sc.clearJobTags();
   * ```
   */
  addJobTag(tag: string): void {
    if (typeof tag !== "string" || tag.length === 0 || tag.includes(",")) throw new TsparkError("INVALID_ARGUMENT", "a job tag must be a non-empty string without commas");
    const tags = this.getJobTags();
    tags.add(tag);
    this.setLocalProperty("spark.job.tags", [...tags].join(","));
  }

  /**
   * Removes a tag from the jobs submitted next.
   *
   * @example
   * ```ts
   * sc.addJobTag("etl");
   * sc.addJobTag("daily");
   * sc.removeJobTag("etl");
   * sc.getJobTags(); // → new Set(["daily"])
   * sc.clearJobTags();
   * ```
   */
  removeJobTag(tag: string): void {
    const tags = this.getJobTags();
    tags.delete(tag);
    this.setLocalProperty("spark.job.tags", tags.size ? [...tags].join(",") : undefined);
  }

  /**
   * The tags the jobs submitted next carry.
   *
   * @example
   * ```ts
   * sc.addJobTag("a");
   * sc.addJobTag("b");
   * sc.getJobTags(); // → new Set(["a", "b"])
   * sc.clearJobTags();
   * ```
   */
  getJobTags(): Set<string> {
    const t = this.localProperties.get("spark.job.tags");
    return new Set(t ? t.split(",") : []);
  }

  /**
   * Removes every tag from the jobs submitted next.
   *
   * @example
   * ```ts
   * sc.addJobTag("etl");
   * sc.clearJobTags();
   * sc.getJobTags().size; // → 0
   * ```
   */
  clearJobTags(): void {
    this.setLocalProperty("spark.job.tags", undefined);
  }

  private jobProperties(): JobProperties {
    return {
      group: this.localProperties.get("spark.jobGroup.id"),
      description: this.localProperties.get("spark.job.description"),
      tags: [...this.getJobTags()],
      interruptOnCancel: this.localProperties.get("spark.job.interruptOnCancel") === "true",
      localProperties: Object.fromEntries(this.localProperties),
    };
  }

  /**
   * Cancels the running jobs of a group.
   *
   * @example
   * ```ts
   * sc.setJobGroup("slow", "a job to cancel", true);
   * const job = sc.parallelize([1, 2], 2).map(async (x) => new Promise((resolve) => setTimeout(() => resolve(x), 60_000))).collect();
   * setTimeout(() => sc.cancelJobGroup("slow"), 500);
   * await job.catch((e: TsparkError) => e.code); // → "JOB_CANCELLED"
   * ```
   */
  cancelJobGroup(groupId: string): void {
    this.scheduler.cancelJobs((j) => j.props.group === groupId, `part of cancelled job group ${groupId}`);
  }

  /**
   * Cancels the running jobs that carry a tag.
   *
   * @example
   * ```ts
   * sc.addJobTag("slow");
   * const job = sc.parallelize([1], 1).map(async (x) => new Promise((resolve) => setTimeout(() => resolve(x), 2_000))).collect();
   * sc.removeJobTag("slow");
   * setTimeout(() => sc.cancelJobsWithTag("slow"), 300);
   * await job.catch((e: TsparkError) => e.code); // → "JOB_CANCELLED"
   * ```
   */
  cancelJobsWithTag(tag: string): void {
    this.scheduler.cancelJobs((j) => j.props.tags.includes(tag), `cancelled by tag ${tag}`);
  }

  /**
   * Cancels every running job.
   *
   * @example
   * ```ts
   * const job = sc.parallelize([1], 1).map(async (x) => new Promise((resolve) => setTimeout(() => resolve(x), 2_000))).count();
   * setTimeout(() => sc.cancelAllJobs(), 300);
   * await job.catch((e: TsparkError) => e.code); // → "JOB_CANCELLED"
   * ```
   */
  cancelAllJobs(): void {
    this.scheduler.cancelJobs(() => true, "as part of cancelAllJobs");
  }

  /**
   * @internal The interactive shell's Ctrl-C: from now on SIGINT calls `handler` instead of
   * cancelling the jobs and exiting (the shell cancels the running job and keeps going).
   */
  _setInterruptHandler(handler: (() => void) | undefined): void {
    this.interruptHandler = handler;
  }

  /** @internal Cancels every running job and kills its running tasks at once; returns the ids. */
  _interruptAllJobs(reason: string): number[] {
    const ids = this.statusTracker().getActiveJobIds();
    this.scheduler.cancelJobs(() => true, reason, true);
    this.progressBar?.clear(); // now, before the shell prints its prompt again
    return ids;
  }

  /** @internal A stage's metric totals (the UI and tests read these). */
  _stageMetrics(stageId: number): StageState["metrics"] | undefined {
    return this.scheduler.stages.get(stageId)?.metrics;
  }

  /**
   * Read-only progress of jobs, stages and workers.
   *
   * @example
   * ```ts
   * const tracker = sc.statusTracker();
   * await sc.parallelize([1, 2]).count(); // → 2
   * tracker.getActiveJobIds(); // → []
   * ```
   */
  statusTracker(): StatusTracker {
    return new StatusTracker(this.scheduler, () => this.backend.executorInfos());
  }

  // ---- files and checkpoints ----

  /**
   * Makes a file available to every task: `sc.addFile("lookup.csv")`, then in a task
   * `SparkFiles.get("lookup.csv")`. A directory needs `recursive = true`.
   *
   * @example
   * ```ts
   * import { writeFileSync, readFileSync } from "node:fs";
   * writeFileSync("lookup.csv", "a,1\nb,2\n");
   * sc.addFile("lookup.csv");
   * const codes = sc.parallelize(["b", "a"]).map((k) => {
   *   const table = readFileSync(SparkFiles.get("lookup.csv"), "utf8"); // in the task, a local copy
   *   return table.split("\n").find((line) => line.startsWith(k + ","))!.split(",")[1];
   * });
   * await codes.collect(); // → ["2", "1"]
   * ```
   */
  addFile(path: string, recursive = false): void {
    this.ensureActive();
    const src = resolvePath(path.startsWith("file:") ? new URL(path).pathname : path);
    if (!existsSync(src)) throw new TsparkError("INPUT_NOT_FOUND", `addFile: ${path} does not exist`);
    if (statSync(src).isDirectory() && !recursive) throw new TsparkError("INVALID_ARGUMENT", `addFile: ${path} is a directory; pass recursive = true`);
    const dest = join(this.localDir, "files", basename(src));
    mkdirSync(join(this.localDir, "files"), { recursive: true });
    cpSync(src, dest, { recursive: true });
  }

  private checkpointDir: string | undefined;

  /**
   * Where checkpoint() writes RDDs (a directory made under `dir` for this application).
   *
   * @example
   * ```ts
   * import { resolve } from "node:path";
   * sc.setCheckpointDir("checkpoints");
   * sc.getCheckpointDir()!.startsWith(resolve("checkpoints")); // → true
   * ```
   */
  setCheckpointDir(dir: string): void {
    const d = join(resolvePath(dir), randomUUID());
    mkdirSync(d, { recursive: true });
    this.checkpointDir = d;
  }

  /**
   * The directory checkpoint() writes to (under the one given to setCheckpointDir), if set.
   *
   * @example
   * ```ts
   * import { resolve } from "node:path";
   * sc.setCheckpointDir("checkpoints");
   * sc.getCheckpointDir()!.startsWith(resolve("checkpoints") + "/"); // → true
   * ```
   */
  getCheckpointDir(): string | undefined {
    return this.checkpointDir;
  }

  /** @internal Writes, after a job, the RDDs of its lineage whose checkpoint() is pending. */
  private async writeCheckpoints(rdd: RDD<unknown>): Promise<void> {
    const pending: RDD<unknown>[] = [];
    const walk = (r: RDD<unknown>, seen: Set<number>) => {
      if (seen.has(r.id)) return;
      seen.add(r.id);
      if (r._checkpointPending()) pending.push(r);
      for (const p of r.dependencies()) walk(p, seen);
    };
    walk(rdd, new Set());
    for (const r of pending) await r._writeCheckpoint();
  }

  // ---- shared variables ----

  /**
   * A read-only value sent to each worker once (not with every task):
   * `const lookup = sc.broadcast(bigMap); rdd.map((k) => lookup.value.get(k))`.
   *
   * @example
   * ```ts
   * const names = sc.broadcast(new Map([[1, "one"], [2, "two"]]));
   * await sc.parallelize([2, 1, 2]).map((k) => names.value.get(k)).collect(); // → ["two", "one", "two"]
   * names.destroy();
   * ```
   */
  broadcast<T>(value: T): Broadcast<T> {
    this.ensureActive();
    const id = this.nextBroadcastId++;
    return new Broadcast<T>(id, value, join(this.localDir, `broadcast_${id}`), (bid) => {
      if (!this.stopped) this.backend.broadcastControl({ type: "dropBroadcast", broadcastId: bid });
    });
  }

  /**
   * A variable tasks add to and the driver reads: `const n = sc.accumulator(0)`. Give an
   * AccumulatorParam (zero, addInPlace) for values other than numbers.
   *
   * @example
   * ```ts
   * const blank = sc.accumulator(0);
   * await sc.parallelize(["a", "", "b", ""]).foreach((line) => { if (line === "") blank.add(1); });
   * blank.value; // → 2
   * const seen = sc.accumulator<string[]>([], { zero: () => [], addInPlace: (a, b) => a.concat(b) });
   * await sc.parallelize(["x", "y"], 1).foreach((s) => seen.add([s]));
   * seen.value; // → ["x", "y"]
   * ```
   */
  accumulator<T = number>(value: T, param?: AccumulatorParam<T>): Accumulator<T> {
    this.ensureActive();
    if (param === undefined && typeof value !== "number") throw new TsparkError("INVALID_ARGUMENT", "an accumulator of a non-number needs an AccumulatorParam { zero, addInPlace }");
    const acc = new Accumulator<T>(this.nextAccumulatorId++, value, param);
    this.accumulators.set(acc.id, acc as Accumulator<unknown>);
    return acc;
  }

  // ---- jobs ----

  /** @internal */
  _newRddId(): number {
    return this.nextRddId++;
  }

  /** @internal */
  _newShuffleId(): number {
    return this.nextShuffleId++;
  }

  /** @internal Where the map outputs of a finished shuffle are. */
  _mapOutputLocations(shuffleId: number): MapOutputLocation[] {
    return this.mapOutputs.locations(shuffleId);
  }

  /** @internal Map statuses of a finished shuffle (spill metrics, sizes), if it ran. */
  _mapStatuses(shuffleId: number): MapStatus[] | undefined {
    return this.mapOutputs.statuses(shuffleId);
  }

  /**
   * Runs the map stage of every shuffle the lineage needs and does not have yet, parents
   * first; independent shuffles (the two sides of a join) run at the same time.
   */
  private computeShuffles(rdd: RDD<unknown>, job: JobState, seen = new Map<number, Promise<void>>()): Promise<void> {
    // An RDD reached by a second path (a cached table joined with its own descendant) is
    // waited for there too, not skipped: the stage planned after it reads its shuffles.
    let visit = seen.get(rdd.id);
    if (!visit) {
      visit = this.computeShufflesOf(rdd, job, seen);
      seen.set(rdd.id, visit);
    }
    return visit;
  }

  private async computeShufflesOf(rdd: RDD<unknown>, job: JobState, seen: Map<number, Promise<void>>): Promise<void> {
    if (rdd instanceof ShuffledRDD && !rdd.isCheckpointed()) {
      const numMaps = rdd.parent.getNumPartitions();
      if (this.mapOutputs.missingMaps(rdd.shuffleId, numMaps).length === 0) return;
      let running = this.runningMapStages.get(rdd.shuffleId);
      if (!running) {
        running = (async () => {
          await this.computeShuffles(rdd.parent, job, seen);
          // Only the map tasks whose output is missing (all of them the first time).
          const missing = new Set(this.mapOutputs.missingMaps(rdd.shuffleId, numMaps));
          const planner = new JobPlanner();
          const plans = rdd.mapStagePlans(planner).filter((p) => missing.has(p.partition));
          const name = `${rdd.operation} at ${rdd.callSite}`;
          const results = plans.length === 0 ? [] : await this.scheduler.runStage(job, { name, plans, closureBytes: planner.closureBytes, countResultSize: false, barrier: rdd.parent.isBarrier() });
          this.mapOutputs.register(rdd.shuffleId, results.map((r) => r[0] as MapStatus), numMaps);
        })().finally(() => this.runningMapStages.delete(rdd.shuffleId));
        this.runningMapStages.set(rdd.shuffleId, running);
      }
      return running;
    }
    await Promise.all(rdd.dependencies().map((p) => this.computeShuffles(p, job, seen)));
  }

  /** @internal Plans and runs a job computing `partitions` of `rdd` with `steps` appended. */
  async _runJob(rdd: RDD<unknown>, steps: StepSpec[], partitions: number[] | undefined, countResultSize: boolean): Promise<unknown[][]> {
    this.ensureActive();
    // Taken synchronously, at the action's call: later property changes do not affect this job.
    const name = `${steps.length ? steps[steps.length - 1]!.label : "collect"} at ${userCallSite()}`;
    const job = this.scheduler.submitJob(name, this.jobProperties());
    try {
      await this.uiStarting;
      await prepareLineage(rdd);
      this.announcePersisted(rdd);
      const out = await this.runJobStages(job, rdd, steps, partitions, countResultSize);
      this.scheduler.endJob(job);
      log("INFO", "scheduler", `Job ${job.jobId} finished: ${name}, took ${((Date.now() - job.submissionTime) / 1000).toFixed(3)} s`);
      await this.writeCheckpoints(rdd);
      return out;
    } catch (err) {
      this.scheduler.endJob(job, err);
      log("INFO", "scheduler", `Job ${job.jobId} failed: ${name}: ${(err as Error).message}`);
      throw err;
    } finally {
      this.progressBar?.clear(); // before the program prints the result
    }
  }

  /**
   * Runs a job's stages; when a stage finds shuffle output gone (FETCH_FAILED), forgets the
   * lost map outputs of the lineage's shuffles, recomputes just those, and runs the stage again.
   */
  private async runJobStages(job: JobState, rdd: RDD<unknown>, steps: StepSpec[], partitions: number[] | undefined, countResultSize: boolean): Promise<unknown[][]> {
    const maxAttempts = this.settings.maxFailures;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runJobStagesOnce(job, rdd, steps, partitions, countResultSize);
      } catch (err) {
        if ((err as TsparkError).code !== "FETCH_FAILED" || attempt >= maxAttempts || job.cancelled) throw err;
        const lost = this.forgetLostShuffleOutputs(rdd);
        log("WARN", "scheduler", `${(err as Error).message}; recomputing ${lost} lost map output(s) (attempt ${attempt + 1} of ${maxAttempts})`);
      }
    }
  }

  /** Marks map outputs whose files are gone, in every shuffle of the lineage. */
  private forgetLostShuffleOutputs(rdd: RDD<unknown>, seen = new Set<number>()): number {
    if (seen.has(rdd.id)) return 0;
    seen.add(rdd.id);
    let lost = rdd instanceof ShuffledRDD ? this.mapOutputs.checkFiles(rdd.shuffleId) : 0;
    for (const p of rdd.dependencies()) lost += this.forgetLostShuffleOutputs(p, seen);
    return lost;
  }

  private async runJobStagesOnce(job: JobState, rdd: RDD<unknown>, steps: StepSpec[], partitions: number[] | undefined, countResultSize: boolean): Promise<unknown[][]> {
    await this.computeShuffles(rdd, job);
    const n = rdd.getNumPartitions();
    const parts = partitions ?? Array.from({ length: n }, (_, i) => i);
    for (const p of parts) if (!Number.isInteger(p) || p < 0 || p >= n) throw new TsparkError("INVALID_ARGUMENT", `partition ${p} out of range (the RDD has ${n})`);
    const planner = new JobPlanner();
    const plans = parts.map((p) => {
      const base = rdd.planPartition(p, planner);
      const plan: PartitionPlan = steps.length === 0 ? base : { kind: "narrow", parent: base, partitionIndex: p, steps: steps.map((s) => planStep(s, p, planner)) };
      return { partition: p, plan };
    });
    if (plans.length === 0) return [];
    return this.scheduler.runStage(job, { name: job.name, plans, closureBytes: planner.closureBytes, countResultSize, barrier: rdd.isBarrier() });
  }

  /**
   * Runs `fn` over the records of the given partitions (default all) and returns its
   * results, one per partition: `sc.runJob(rdd, (it) => [...it].length)`.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2, 3, 4, 5, 6], 3);
   * await sc.runJob(rdd, (it) => [...it].length); // → [2, 2, 2]
   * await sc.runJob(rdd, (it) => [...it].reduce((a, b) => a + b, 0), [0, 2]); // → [3, 11]
   * ```
   */
  async runJob<T, U>(rdd: RDD<T>, fn: (it: Iterable<T>) => U, partitions?: number[]): Promise<Array<Awaited<U>>> {
    const res = await this._runJob(rdd as RDD<unknown>, [{ op: "applyPartition", fns: [fn], label: "runJob" }], partitions, true);
    return res.map((r) => r[0] as Awaited<U>);
  }

  /**
   * Process ids of the worker processes (for diagnostics and tests).
   *
   * @example
   * ```ts
   * // With --master local[2]:
   * sc.workerPids().length; // → 2
   * ```
   */
  workerPids(): number[] {
    return this.backend.pids();
  }

  /** @internal Forgets an RDD's cached blocks everywhere. */
  _unpersist(rddId: number): void {
    this.blocks.dropRdd(rddId);
    if (this.announcedRdds.delete(rddId)) this.bus.post({ event: "rddUnpersisted", rddId });
    if (this.stopped) return;
    this.backend.broadcastControl({ type: "dropRdd", rddId });
    const dir = join(this.localDir, "blocks");
    try {
      for (const f of readdirSync(dir)) if (f.startsWith(`rdd_${rddId}_`)) rmSync(join(dir, f), { force: true });
    } catch {
      /* no disk blocks yet */
    }
  }

  /** @internal What is cached, per RDD (the storage page and tests read this). */
  _storageInfo(): RddStorageInfo[] {
    return this.blocks.storageInfo();
  }

  /** @internal Per-worker counters (the status tracker and UI build on these). */
  _executorInfos(): ExecutorInfo[] {
    return this.backend.executorInfos();
  }

  /**
   * Stops the workers and releases everything. Safe to call twice.
   *
   * @example
   * ```ts
   * const sc = new SparkContext({ appName: "report" });
   * try {
   *   await sc.parallelize([1, 2, 3]).count();
   * } finally {
   *   await sc.stop(); // safe to call again
   * }
   * ```
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.progressBar?.stop();
      if (SparkContext.active === this) {
        SparkContext.active = undefined;
        setDriverFilesRoot(undefined);
      }
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
    })();
    return this.stopping;
  }

  /**
   * `await using sc = new SparkContext(...)` stops it at the end of the block.
   *
   * @example
   * ```ts
   * {
   *   await using sc = new SparkContext({ appName: "scoped" });
   *   console.log(await sc.range(10).sum()); // 45
   * } // sc.stop() ran here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Runs each RDD's prepare() (parents first) before a job is planned. */
async function prepareLineage(rdd: RDD<unknown>, seen = new Set<number>()): Promise<void> {
  if (seen.has(rdd.id)) return;
  seen.add(rdd.id);
  for (const p of rdd.dependencies()) await prepareLineage(p, seen);
  await rdd.prepare();
}

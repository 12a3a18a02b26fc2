/**
 * SparkContext: the entry point. A facade over the driver runtime (driver/driver-runtime.ts:
 * the workers, the schedulers, the trackers): it makes input RDDs, shared variables and job
 * settings, and stops it all. One active context per process.
 */
import os from "node:os";
import { mkdirSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { randomUUID } from "node:crypto";
import { setDriverFilesRoot } from "./spark-files.js";
import { SparkConf } from "./spark-conf.js";
import { unknownKeyWarnings } from "../config/unknown-keys.js";
import { Serializer, TsparkSerializer, checkedBatchSize, checkedSerializer } from "./serializers.js";
import { parseSettings, type Settings } from "../config/settings.js";
import { RDD, UnionRDD } from "./rdd.js";
import {
  ParallelCollectionRDD, RangeRDD, EmptyRDD, TextFileRDD, SparkInputRDD, WholeTextFilesRDD, BinaryFilesRDD, BinaryRecordsRDD, ObjectFileRDD,
} from "./rdd-sources.js";
import { StatusTracker } from "./status-tracker.js";
import type { Accumulator, AccumulatorParam } from "./accumulator.js";
import type { Broadcast } from "./broadcast.js";
import "./pair-rdd.js";
import { UNSHIPPABLE } from "../closure/hooks.js";
import { setLogThreshold, log } from "../util/log.js";
import { TsparkError } from "../errors.js";
import { LINE_ENCODINGS, type LineEncoding } from "../io/line-reader.js";
import { VERSION } from "../version.js";
import { DriverRuntime } from "../driver/driver-runtime.js";
import { registerRuntime } from "../driver/runtime-registry.js";

export interface SparkContextOptions {
  /** Where to run: `local`, `local[N]` or `local[*]` (default: the launcher's --master, else local[*]). */
  master?: string;
  /** The application's name (UI, logs). */
  appName?: string;
  /** More settings, as a SparkConf or an object of `tspark.*` keys. */
  conf?: SparkConf | Record<string, string | number | boolean>;
  /** How records are written in shuffles and disk caches (default: TsparkSerializer); an RDD may choose its own (withSerializer). */
  serializer?: Serializer;
  /** Records per batch in shuffle and cache files for serializers that do not set theirs (default 4096). */
  batchSize?: number;
}

export { slotsForMaster } from "../config/master.js";

/** How textFile reads its files. */
export interface TextFileOptions {
  /** The fewest partitions wanted (default: min(defaultParallelism, 2), as PySpark's). */
  minPartitions?: number;
  /**
   * How lines are given: "utf8" (default; invalid bytes become U+FFFD), "latin1" (one
   * character per byte: nothing is lost, whatever the file's encoding), or "bytes" (each
   * line's bytes as a Uint8Array, as PySpark's use_unicode=False). On Spark, other encodings
   * than UTF-8 need the files on the executors' filesystem (tspark's worker reads them).
   */
  encoding?: LineEncoding;
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
  /** How RDDs' records are written in shuffles and disk caches, unless an RDD has its own (PySpark's `sc.serializer`). */
  readonly serializer: Serializer;
  /** Records per batch for serializers that do not set theirs; undefined: 4096. */
  readonly batchSize: number | undefined;
  /** A unique id of this application. */
  readonly applicationId: string;
  /** When the context started (ms since the epoch). */
  readonly startTime = Date.now();
  private readonly conf: SparkConf;
  private readonly settings: Settings;
  /** The engine behind this facade (backend, schedulers, trackers, listener bus...); a true private field, so not even the shell's Tab completion shows it. */
  readonly #runtime: DriverRuntime;
  private stopping: Promise<void> | undefined;

  /** This application's scratch directory (shuffle outputs, spills); removed at stop and exit. */
  readonly localDir: string;

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
    const own = options instanceof SparkConf ? {} : options;
    this.serializer = own.serializer === undefined ? new TsparkSerializer() : checkedSerializer(own.serializer);
    this.batchSize = checkedBatchSize(own.batchSize);
    // Every setting is parsed and checked first, before anything is made (event log, scratch
    // directory, workers): a bad value fails here and leaves nothing behind.
    const settings = parseSettings(conf);
    this.settings = settings;
    this.master = settings.master.text;
    this.appName = settings.appName;
    if (settings.logLevel !== undefined) setLogThreshold(settings.logLevel);
    for (const warning of unknownKeyWarnings(conf.getAll().map(([k]) => k), settings.master.engine === "spark")) log("WARN", "config", warning);
    this.#runtime = new DriverRuntime({ conf, settings, applicationId: `local-${this.startTime}`, startTime: this.startTime, user: this.sparkUser() });
    // Spark's own, when Spark runs the jobs.
    this.applicationId = this.#runtime.applicationId;
    this.localDir = this.#runtime.localDir;
    registerRuntime(this, this.#runtime);
    SparkContext.active = this;
    setDriverFilesRoot(join(this.localDir, "files"));
    log("INFO", "context", `Started SparkContext ${this.applicationId} (app "${this.appName}", master ${this.master}, ${settings.master.slots} worker(s), tspark ${VERSION})`);
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
   * The Apache Spark release that runs this context's jobs (a Spark master, or
   * `tspark.engine=spark`); undefined on tspark's own engine. `sc.version` is tspark's.
   *
   * @example
   * ```ts
   * // With --master local[2] (tspark's engine):
   * sc.sparkVersion; // → undefined
   * // With --master local-cluster[2,1,1024] and Spark 4.3.0 it is "4.3.0".
   * ```
   */
  get sparkVersion(): string | undefined {
    return this.#runtime.sparkVersion;
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
    return this.settings.defaultParallelism ?? this.#runtime.slots;
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
   * The server starts with the context; it is listening once the first action has started.
   *
   * @example
   * ```ts
   * await sc.parallelize([1]).count(); // → 1
   * console.log(`progress at ${sc.uiWebUrl ?? "(no UI)"}`);
   * ```
   */
  get uiWebUrl(): string | undefined {
    return this.#runtime.uiWebUrl;
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
    this.#runtime.ensureActive();
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
   * Lines of text files: a file, a directory, a glob, or a comma-separated list of those
   * (local paths or `file:` URLs; on Spark, any filesystem Spark reads, such as `hdfs://`);
   * `.gz` files are decompressed (each is one partition).
   * `sc.textFile("logs/*.txt.gz").filter((l) => l.includes("ERROR"))`
   *
   * @example
   * ```ts
   * import { writeFileSync } from "node:fs";
   * writeFileSync("example.txt", "Hello world!\nsecond line\n");
   * await sc.textFile("example.txt").collect(); // → ["Hello world!", "second line"]
   * await sc.textFile("example.txt").filter((l) => l.startsWith("Hello")).count(); // → 1
   * // Text in another encoding: Latin-1 keeps every byte (UTF-8 would make é a U+FFFD);
   * // "bytes" gives each line's own bytes (PySpark's use_unicode=False).
   * writeFileSync("latin1.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]));
   * await sc.textFile("latin1.txt", { encoding: "latin1" }).collect(); // → ["café"]
   * (await sc.textFile("latin1.txt", { encoding: "bytes" }).first()).length; // → 4
   * ```
   */
  textFile(path: string, minPartitions?: number): RDD<string>;
  textFile(path: string, options: TextFileOptions & { encoding: "bytes" }): RDD<Uint8Array>;
  textFile(path: string, options: TextFileOptions): RDD<string>;
  textFile(path: string, options?: number | TextFileOptions): RDD<string> | RDD<Uint8Array> {
    this.ensureActive();
    const { minPartitions, encoding = "utf8" } = typeof options === "object" ? options : { minPartitions: options };
    if (!LINE_ENCODINGS.includes(encoding)) throw new TsparkError("INVALID_ARGUMENT", `textFile: encoding must be one of ${LINE_ENCODINGS.map((e) => `"${e}"`).join(", ")}, got ${JSON.stringify(encoding)}`);
    const min = minPartitions ?? this.defaultMinPartitions;
    return this.#runtime.onSpark ? new SparkInputRDD<string>(this, "textFile", path, min, encoding) : new TextFileRDD<string>(this, path, min, encoding);
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
    const min = minPartitions ?? this.defaultMinPartitions;
    return this.#runtime.onSpark ? new SparkInputRDD<[string, string]>(this, "wholeTextFiles", path, min) : new WholeTextFilesRDD(this, path, min);
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
    const min = minPartitions ?? this.defaultMinPartitions;
    return this.#runtime.onSpark ? new SparkInputRDD<[string, Uint8Array]>(this, "binaryFiles", path, min) : new BinaryFilesRDD(this, path, min);
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
    const min = minPartitions ?? this.defaultMinPartitions;
    return this.#runtime.onSpark ? new SparkInputRDD<T>(this, "objectFile", path, min) : new ObjectFileRDD<T>(this, path, min);
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

  /** Kept by the runtime: each job takes a copy when submitted. */
  private get localProperties(): Map<string, string> {
    return this.#runtime.localProperties;
  }

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

  /**
   * Cancels the running jobs of a group. Their running tasks stop at their next batch of
   * records (workers and the partitions they cache live on); with the group's
   * interruptOnCancel, a task still running 2 s later has its worker replaced.
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
    this.#runtime.cancelJobs((j) => j.props.group === groupId, `part of cancelled job group ${groupId}`, { group: groupId });
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
    this.#runtime.cancelJobs((j) => j.props.tags.includes(tag), `cancelled by tag ${tag}`, { tag });
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
    this.#runtime.cancelJobs(() => true, "as part of cancelAllJobs", { all: true });
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
    return this.#runtime.statusTracker();
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
    this.#runtime.addFile(path, recursive);
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
    // On Spark, Spark's own (any Hadoop path, as PySpark's): Spark makes the application's directory.
    const onSpark = this.#runtime.sparkCheckpointDir(dir);
    if (onSpark !== undefined) {
      this.checkpointDir = onSpark;
      return;
    }
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
    return this.#runtime.newBroadcast(value);
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
    return this.#runtime.newAccumulator(value, param);
  }

  // ---- jobs ----

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
    const res = await this.#runtime.runJob(rdd as RDD<unknown>, [{ op: "applyPartition", fns: [fn], label: "runJob" }], partitions, true);
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
    return this.#runtime.workerPids();
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
      if (SparkContext.active === this) {
        SparkContext.active = undefined;
        setDriverFilesRoot(undefined);
      }
      await this.#runtime.stop();
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


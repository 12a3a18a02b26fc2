/**
 * SparkContext: the entry point. It owns the worker pool and the scheduler, makes input
 * RDDs, and runs the jobs that actions submit. One active context per process.
 */
import os from "node:os";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SparkConf } from "./spark-conf.js";
import { CONFIG_KEYS, parseBytes } from "./config.js";
import { RDD, UnionRDD, type StepSpec, planStep } from "./rdd.js";
import {
  ParallelCollectionRDD, RangeRDD, EmptyRDD, TextFileRDD, WholeTextFilesRDD, BinaryFilesRDD, BinaryRecordsRDD, ObjectFileRDD,
} from "./rdd-sources.js";
import { LocalBackend } from "../executor/local-backend.js";
import type { ExecutorInfo } from "../executor/backend.js";
import { DAGScheduler } from "../scheduler/dag-scheduler.js";
import { JobPlanner } from "../scheduler/job-planner.js";
import { MapOutputTracker } from "../scheduler/map-output-tracker.js";
import type { MapOutputLocation } from "../shuffle/shuffle-reader.js";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import { ShuffledRDD } from "./shuffled-rdd.js";
import { LOCAL_DIR_ENV, WORKER_MEMORY_ENV } from "../executor/worker-env.js";
import "./pair-rdd.js";
import type { PartitionPlan } from "../scheduler/plan.js";
import { UNSHIPPABLE } from "../closure/hooks.js";
import { setLogThreshold } from "../util/log.js";
import { TsparkError } from "../errors.js";
import { VERSION } from "../version.js";

export interface SparkContextOptions {
  master?: string;
  appName?: string;
  conf?: SparkConf | Record<string, string | number | boolean>;
}

/** Worker slots for a master URL: local → 1, local[N] → N, local[*] → the machine's cores. */
export function slotsForMaster(master: string): number {
  if (master === "local") return 1;
  const m = /^local\[(\*|\d+)\]$/.exec(master);
  if (!m) throw new TsparkError("CONFIG", `unsupported master "${master}": use local, local[N] or local[*]`);
  const n = m[1] === "*" ? os.availableParallelism() : Number(m[1]);
  if (n < 1) throw new TsparkError("CONFIG", `master "${master}" needs at least one worker`);
  return n;
}

export class SparkContext {
  private static active: SparkContext | undefined;
  /** Marks the context as driver-only for the closure layer (SPARK-5063). */
  readonly [UNSHIPPABLE] = "the SparkContext";
  /** tspark's version. */
  readonly version = VERSION;
  readonly master: string;
  readonly appName: string;
  readonly applicationId: string;
  /** When the context started (ms since the epoch). */
  readonly startTime = Date.now();
  private readonly conf: SparkConf;
  private readonly backend: LocalBackend;
  private readonly scheduler: DAGScheduler;
  private nextRddId = 0;
  private nextShuffleId = 0;
  private readonly mapOutputs = new MapOutputTracker();
  private readonly runningMapStages = new Map<number, Promise<void>>();
  /** This application's scratch directory (shuffle outputs, spills); removed at stop and exit. */
  readonly localDir: string;
  private stopped = false;
  private stopping: Promise<void> | undefined;
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
    this.master = conf.get(CONFIG_KEYS.master.key)!;
    this.appName = conf.get(CONFIG_KEYS.appName.key)!;
    this.applicationId = `local-${this.startTime}`;
    const slots = slotsForMaster(this.master);
    const maxFailures = Number(conf.get(CONFIG_KEYS.maxFailures.key));
    if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new TsparkError("CONFIG", `${CONFIG_KEYS.maxFailures.key} must be a positive integer`);
    const maxResultSizeText = conf.get(CONFIG_KEYS.maxResultSize.key)!;
    const heap = conf.get(CONFIG_KEYS.executorMemory.key);
    const base = conf.get(CONFIG_KEYS.localDir.key) ?? os.tmpdir();
    mkdirSync(base, { recursive: true });
    this.localDir = mkdtempSync(join(base, `tspark-${this.applicationId}-`));
    const env: NodeJS.ProcessEnv = { ...process.env, [LOCAL_DIR_ENV]: this.localDir, [WORKER_MEMORY_ENV]: String(parseBytes(conf.get(CONFIG_KEYS.workerMemory.key)!)) };
    for (const [k, v] of conf.getAll()) if (k.startsWith("tspark.executorEnv.")) env[k.slice("tspark.executorEnv.".length)] = v;
    this.backend = new LocalBackend(slots, {
      nodeArgs: heap ? [`--max-old-space-size=${Math.max(16, Math.floor(parseBytes(heap) / 1024 / 1024))}`] : [],
      env,
      echo: (line) => process.stderr.write(line + "\n"),
    });
    this.scheduler = new DAGScheduler(this.backend, { maxFailures, maxResultSize: parseBytes(maxResultSizeText), maxResultSizeText });
    SparkContext.active = this;
    process.once("exit", this.onExit);
  }

  /** The active context, or a new one from `conf`. */
  static getOrCreate(conf?: SparkConf): SparkContext {
    return SparkContext.active ?? new SparkContext(conf ?? {});
  }

  /** Default number of partitions: `tspark.default.parallelism`, else the number of worker slots. */
  get defaultParallelism(): number {
    const v = this.conf.get(CONFIG_KEYS.defaultParallelism.key);
    return v !== undefined ? Number(v) : this.backend.slots;
  }

  /** Default minimum partitions of file inputs: min(defaultParallelism, 2), as PySpark. */
  get defaultMinPartitions(): number {
    return Math.min(this.defaultParallelism, 2);
  }

  /** The web UI's address, once the UI runs. */
  get uiWebUrl(): string | undefined {
    return undefined;
  }

  /** A copy of the effective configuration. */
  getConf(): SparkConf {
    return this.conf.clone();
  }

  /** Sets the engine's log threshold: ALL, DEBUG, INFO, WARN (default), ERROR, FATAL, OFF. */
  setLogLevel(level: string): void {
    setLogThreshold(level);
  }

  /** The user running this application. */
  sparkUser(): string {
    return process.env["SPARK_USER"] ?? os.userInfo().username;
  }

  private ensureActive(): void {
    if (this.stopped) throw new TsparkError("CONTEXT_STOPPED", "this SparkContext has been stopped; create a new one");
  }

  // ---- input ----

  /** Distributes a local collection: `sc.parallelize([1, 2, 3, 4], 2)`. */
  parallelize<T>(data: Iterable<T>, numSlices?: number): RDD<T> {
    this.ensureActive();
    return new ParallelCollectionRDD<T>(this, data, numSlices ?? this.defaultParallelism);
  }

  /** Numbers from `start` (inclusive) to `end` (exclusive) by `step`; `sc.range(5)` → 0..4. */
  range(start: number, end?: number, step = 1, numSlices?: number): RDD<number> {
    this.ensureActive();
    if (end === undefined) [start, end] = [0, start];
    return new RangeRDD(this, start, end, step, numSlices ?? this.defaultParallelism);
  }

  /** An RDD with no partitions and no records. */
  emptyRDD<T = never>(): RDD<T> {
    this.ensureActive();
    return new EmptyRDD<T>(this);
  }

  /**
   * Lines of text files: a file, a directory, a glob, or a comma-separated list of those;
   * `.gz` files are decompressed (each is one partition).
   * `sc.textFile("logs/*.txt.gz").filter((l) => l.includes("ERROR"))`
   */
  textFile(path: string, minPartitions?: number): RDD<string> {
    this.ensureActive();
    return new TextFileRDD(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /** `[fileUrl, content]` for each file: `sc.wholeTextFiles("docs/")`. */
  wholeTextFiles(path: string, minPartitions?: number): RDD<[string, string]> {
    this.ensureActive();
    return new WholeTextFilesRDD(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /** `[fileUrl, bytes]` for each file. */
  binaryFiles(path: string, minPartitions?: number): RDD<[string, Uint8Array]> {
    this.ensureActive();
    return new BinaryFilesRDD(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /** Fixed-length binary records of `recordLength` bytes. */
  binaryRecords(path: string, recordLength: number): RDD<Uint8Array> {
    this.ensureActive();
    return new BinaryRecordsRDD(this, path, recordLength);
  }

  /** Reads what `saveAsObjectFile` wrote (PySpark: pickleFile). */
  objectFile<T = unknown>(path: string, minPartitions?: number): RDD<T> {
    this.ensureActive();
    return new ObjectFileRDD<T>(this, path, minPartitions ?? this.defaultMinPartitions);
  }

  /** The records of all the given RDDs: `sc.union([a, b, c])`. */
  union<T>(rdds: RDD<T>[]): RDD<T> {
    this.ensureActive();
    if (rdds.length === 0) throw new TsparkError("INVALID_ARGUMENT", "union needs at least one RDD");
    return new UnionRDD<T>(this, rdds);
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
  private async computeShuffles(rdd: RDD<unknown>, seen = new Set<number>()): Promise<void> {
    if (seen.has(rdd.id)) return;
    seen.add(rdd.id);
    if (rdd instanceof ShuffledRDD) {
      if (this.mapOutputs.has(rdd.shuffleId)) return;
      let running = this.runningMapStages.get(rdd.shuffleId);
      if (!running) {
        running = (async () => {
          await this.computeShuffles(rdd.parent, seen);
          const planner = new JobPlanner();
          const plans = rdd.mapStagePlans(planner);
          const results = plans.length === 0 ? [] : await this.scheduler.runJob({ plans, closureBytes: planner.closureBytes, countResultSize: false });
          this.mapOutputs.register(rdd.shuffleId, results.map((r) => r[0] as MapStatus));
        })().finally(() => this.runningMapStages.delete(rdd.shuffleId));
        this.runningMapStages.set(rdd.shuffleId, running);
      }
      return running;
    }
    await Promise.all(rdd.parents().map((p) => this.computeShuffles(p, seen)));
  }

  /** @internal Plans and runs a job computing `partitions` of `rdd` with `steps` appended. */
  async _runJob(rdd: RDD<unknown>, steps: StepSpec[], partitions: number[] | undefined, countResultSize: boolean): Promise<unknown[][]> {
    this.ensureActive();
    await prepareLineage(rdd);
    await this.computeShuffles(rdd);
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
    return this.scheduler.runJob({ plans, closureBytes: planner.closureBytes, countResultSize });
  }

  /**
   * Runs `fn` over the records of the given partitions (default all) and returns its
   * results, one per partition: `sc.runJob(rdd, (it) => [...it].length)`.
   */
  async runJob<T, U>(rdd: RDD<T>, fn: (it: Iterable<T>) => U, partitions?: number[]): Promise<Array<Awaited<U>>> {
    const res = await this._runJob(rdd as RDD<unknown>, [{ op: "applyPartition", fns: [fn], label: "runJob" }], partitions, true);
    return res.map((r) => r[0] as Awaited<U>);
  }

  /** Process ids of the worker processes (for diagnostics and tests). */
  workerPids(): number[] {
    return this.backend.pids();
  }

  /** @internal Per-worker counters (the status tracker and UI build on these). */
  _executorInfos(): ExecutorInfo[] {
    return this.backend.executorInfos();
  }

  /** Stops the workers and releases everything. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      if (SparkContext.active === this) SparkContext.active = undefined;
      await this.backend.stop();
      process.removeListener("exit", this.onExit);
      rmSync(this.localDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  /** `await using sc = new SparkContext(...)` stops it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Runs each RDD's prepare() (parents first) before a job is planned. */
async function prepareLineage(rdd: RDD<unknown>, seen = new Set<number>()): Promise<void> {
  if (seen.has(rdd.id)) return;
  seen.add(rdd.id);
  for (const p of rdd.parents()) await prepareLineage(p, seen);
  await rdd.prepare();
}

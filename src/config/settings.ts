/**
 * A context's settings, parsed once into a typed, frozen object: the context reads fields
 * (`settings.workerMemory` in bytes, `settings.master.slots`) instead of parsing text where it
 * uses it. Parsing everything first is what lets a bad value fail before anything is made.
 */
import { TsparkError } from "../errors.js";
import type { LogLevel } from "../util/log.js";
import { CONFIG_KEYS, type ConfigKey } from "./keys.js";
import { parseMaster, type MasterUrl } from "./master.js";

/** Where settings are read from: a SparkConf (its `get` gives documented defaults, `contains` only what was set). */
export interface SettingsSource {
  get(key: string): string | undefined;
  contains(key: string): boolean;
}

/** The web UI's settings. */
export interface UiSettings {
  readonly host: string;
  readonly port: number;
  /** Whether peers must present the application's access token. */
  readonly authenticate: boolean;
}

/** When a running task is a straggler worth a copy (tspark.speculation.*, Spark's spark.speculation.*). */
export interface SpeculationSettings {
  /** How often idle slots look for stragglers. */
  readonly intervalMs: number;
  /** A task runs `multiplier` times the median of its stage's finished tasks before it is copied... */
  readonly multiplier: number;
  /** ...once this fraction of the stage's tasks has finished... */
  readonly quantile: number;
  /** ...and it has run at least this long. */
  readonly minTaskRuntimeMs: number;
}

export interface Settings {
  readonly master: MasterUrl;
  /** The Spark installation tspark.spark.home names (else $SPARK_HOME is used); read only when Spark runs the jobs. */
  readonly sparkHome: string | undefined;
  /** tspark.spark.workerExec: the worker executable on Spark's executors; undefined: this tspark's launcher. */
  readonly sparkWorkerExec: string | undefined;
  readonly sparkReadLocalFiles: boolean;
  readonly appName: string;
  /** Partitions when none are given; undefined: the number of worker slots. */
  readonly defaultParallelism: number | undefined;
  /** Attempts of one task (and of a job's stages after lost shuffle output). */
  readonly maxFailures: number;
  /** Bytes of results one action may bring to the driver; 0 = unlimited. */
  readonly maxResultSize: number;
  /** Bytes of a worker's aggregation and sort buffers. */
  readonly workerMemory: number;
  /** Bytes of each worker's heap limit; undefined: node's default. */
  readonly executorMemory: number | undefined;
  /** Extra node flags for every worker process. */
  readonly executorNodeOptions: readonly string[];
  readonly workerProfileDir: string | undefined;
  /** Bytes of each worker's cache of RDD partitions. */
  readonly storageMemory: number;
  /** Whether a join's side is shuffled through the other side's key filter (tspark.join.keyFilter). */
  readonly joinKeyFilter: boolean;
  /** When a slow task gets a speculative copy; undefined when tspark.speculation is off. */
  readonly speculation: SpeculationSettings | undefined;
  /** Milliseconds a task waits for the worker holding its cached input. */
  readonly localityWait: number;
  /** Milliseconds without a heartbeat before a worker is killed (tspark.worker.timeout). */
  readonly workerTimeout: number;
  /** Where scratch directories go; undefined: the OS temporary directory. */
  readonly localDir: string | undefined;
  /** The web UI; undefined when tspark.ui.enabled=false (its port is then not read). */
  readonly ui: UiSettings | undefined;
  /** The event log's directory (absolute); undefined when tspark.eventLog.enabled=false. */
  readonly eventLogDir: string | undefined;
  readonly showConsoleProgress: boolean;
  /** The log threshold to set; undefined when the key is not set (the process's threshold stays). */
  readonly logLevel: LogLevel | undefined;
  /** Files to add (as sc.addFile) when the context starts. */
  readonly files: readonly string[];
}

/**
 * Parses every setting the context uses, throwing the first refusal. The order of the checks is
 * the order the context always made them in, so the same bad value is reported first.
 * `tspark.driver.memory` is the launcher's (set in code it is ignored, so not read here).
 */
export function parseSettings(conf: SettingsSource): Settings {
  function read<T>(def: ConfigKey<T> & { default: string }): T;
  function read<T>(def: ConfigKey<T>): T | undefined;
  function read<T>(def: ConfigKey<T>): T | undefined {
    const value = conf.get(def.key) ?? def.default;
    return value === undefined ? undefined : def.parse(value, def.key);
  }
  const K = CONFIG_KEYS;
  const engine = read(K.engine);
  const master = engine === "spark" ? parseMaster(conf.get(K.master.key) ?? K.master.default, "spark") : read(K.master);
  const maxFailures = read(K.maxFailures);
  let logLevel: LogLevel | undefined;
  if (conf.contains(K.logLevel.key)) {
    try {
      logLevel = read(K.logLevel);
    } catch (err) {
      // The context's message names the key (the launcher's names the setting's source instead).
      throw new TsparkError("CONFIG", `${K.logLevel.key}: ${(err as Error).message}`);
    }
  }
  const workerMemory = read(K.workerMemory);
  const storageMemory = read(K.storageMemory);
  // An empty heap limit means none (node's default), as it always did.
  const executorMemory = conf.get(K.executorMemory.key) ? read(K.executorMemory) : undefined;
  const uiAuthenticate = read(K.uiAuthenticate);
  const showConsoleProgress = read(K.showConsoleProgress);
  const ui = read(K.uiEnabled) ? Object.freeze({ host: read(K.uiHost), port: read(K.uiPort), authenticate: uiAuthenticate }) : undefined;
  const eventLogDir = read(K.eventLogEnabled) ? read(K.eventLogDir) : undefined;
  // Checked even when speculation is off, so a bad value is not found only when it is turned on.
  const speculation = Object.freeze({ intervalMs: read(K.speculationInterval), multiplier: read(K.speculationMultiplier), quantile: read(K.speculationQuantile), minTaskRuntimeMs: read(K.speculationMinTaskRuntime) });
  return Object.freeze({
    master,
    sparkHome: read(K.sparkHome),
    sparkWorkerExec: read(K.sparkWorkerExec),
    sparkReadLocalFiles: read(K.sparkReadLocalFiles),
    appName: read(K.appName),
    defaultParallelism: read(K.defaultParallelism),
    maxFailures,
    maxResultSize: read(K.maxResultSize),
    workerMemory,
    executorMemory,
    executorNodeOptions: read(K.executorNodeOptions) ?? Object.freeze([]),
    workerProfileDir: read(K.workerProfileDir),
    storageMemory,
    joinKeyFilter: read(K.joinKeyFilter),
    speculation: read(K.speculation) ? speculation : undefined,
    localityWait: read(K.localityWait),
    workerTimeout: read(K.workerTimeout),
    localDir: read(K.localDir),
    ui,
    eventLogDir,
    showConsoleProgress,
    logLevel,
    files: read(K.files) ?? Object.freeze([]),
  });
}


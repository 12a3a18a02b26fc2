/**
 * Every configuration key tspark reads, defined once: its default, what it does, and how its
 * text is read (`parse`). SparkConf, the CLI's --help and `toDebugString` read this table;
 * `parseSettings` (settings.ts) and the launcher's checks parse with its `parse` functions,
 * so each setting is read by one piece of code.
 */
import { parseBytes } from "./bytes.js";
import { parseMaster } from "./master.js";
import { absolutePath, commaList, pathOrUrl, engineName, flag, fraction, logLevel, milliseconds, port, positiveInteger, positiveNumber, spaceList, text, type ValueParser } from "./values.js";

export interface ConfigKey<T = unknown> {
  key: string;
  default: string | undefined;
  doc: string;
  /** Reads the key's text as a typed value; throws the message the user sees when it refuses it. */
  parse: ValueParser<T>;
}

export const CONFIG_KEYS = {
  master: { key: "tspark.master", default: "local[*]", doc: "Where to run: local, local[N] or local[*] (one worker process per core), or a Spark master (spark://HOST:PORT, yarn, k8s://..., local-cluster[N,C,M]) to run on Apache Spark.", parse: (value) => parseMaster(value) },
  engine: { key: "tspark.engine", default: "local", doc: "What runs a local master's jobs: local (tspark's own worker processes) or spark (Apache Spark's local mode). Spark's masters always run on Spark.", parse: engineName },
  sparkWorkerExec: { key: "tspark.spark.workerExec", default: undefined, doc: "The executable Spark's executors start as tspark's worker (default: this tspark's dist/spark/worker/launcher.js, which must then exist at the same path on every executor, with Node 20+).", parse: absolutePath },
  sparkReadLocalFiles: { key: "tspark.spark.readLocalFiles", default: "true", doc: "On Spark, whether tspark's worker reads a textFile's splits of local files (file: paths, plain or gzip) itself, instead of Spark's JVM reading their lines and handing them over: the same splits and lines, less work. Such a path must exist on every executor, as for Spark.", parse: flag },
  sparkHome: { key: "tspark.spark.home", default: undefined, doc: "The Spark installation to run on (default: $SPARK_HOME): a Spark distribution, or the pyspark folder pip installs.", parse: absolutePath },
  appName: { key: "tspark.app.name", default: "tspark", doc: "Application name shown in the UI and logs.", parse: text },
  defaultParallelism: { key: "tspark.default.parallelism", default: undefined, doc: "Default number of partitions for parallelize and shuffles (default: number of worker slots).", parse: positiveInteger },
  maxFailures: { key: "tspark.task.maxFailures", default: "4", doc: "Attempts of one task before its job fails.", parse: positiveInteger },
  maxResultSize: { key: "tspark.driver.maxResultSize", default: "1g", doc: "Limit on the total size of results an action brings to the driver (0 = unlimited).", parse: parseBytes },
  workerMemory: { key: "tspark.worker.memory", default: "512m", doc: "Memory a worker's aggregation and sort buffers may use before spilling to disk.", parse: parseBytes },
  executorMemory: { key: "tspark.executor.memory", default: undefined, doc: "Heap limit of each worker process (node --max-old-space-size), e.g. 2g.", parse: parseBytes },
  executorNodeOptions: { key: "tspark.executor.extraNodeOptions", default: undefined, doc: "Extra node flags for every worker process, space-separated (e.g. --cpu-prof --cpu-prof-dir=prof to profile workers).", parse: spaceList },
  workerProfileDir: { key: "tspark.worker.profileDir", default: undefined, doc: "Directory where each task's worker writes a V8 CPU profile of the task (stage-S-partition-P-attempt-A-task-T.cpuprofile; open it in Chrome DevTools or speedscope), on either engine. On a cluster, each executor writes on its own machine.", parse: absolutePath },
  joinKeyFilter: { key: "tspark.join.keyFilter", default: "true", doc: "On tspark's engine, whether an inner or right outer join whose sides are both shuffled runs `other`'s map stage first and shuffles only the records of this RDD whose key may be in `other` (a Bloom filter of other's key hashes; none past 262,144 distinct keys, or when one of other's map tasks has more than its share of them). Off: both map stages run at once and every record is shuffled.", parse: flag },
  storageMemory: { key: "tspark.storage.memory", default: "256m", doc: "Memory each worker may use for cached RDD partitions; least recently used ones are evicted (to disk for MEMORY_AND_DISK).", parse: parseBytes },
  workerTimeout: { key: "tspark.worker.timeout", default: "30000", doc: "Milliseconds without a heartbeat from a worker process (it was stopped, or hangs outside JavaScript) before it is killed and its task retried; a worker busy in a task still sends them.", parse: milliseconds },
  speculation: { key: "tspark.speculation", default: "false", doc: "Speculative execution: a task running much longer than its stage's finished tasks gets a copy on an idle worker; the first copy to finish gives the result and the other is killed (on Spark, Spark's spark.speculation).", parse: flag },
  speculationInterval: { key: "tspark.speculation.interval", default: "100ms", doc: "How often idle worker slots look for tasks to copy.", parse: milliseconds },
  speculationMultiplier: { key: "tspark.speculation.multiplier", default: "1.5", doc: "A task is copied when it has run this many times the median run time of its stage's finished tasks.", parse: positiveNumber },
  speculationQuantile: { key: "tspark.speculation.quantile", default: "0.75", doc: "Fraction of a stage's tasks that must have finished before any is copied.", parse: fraction },
  speculationMinTaskRuntime: { key: "tspark.speculation.minTaskRuntime", default: "100ms", doc: "A task is not copied before it has run this long.", parse: milliseconds },
  localityWait: { key: "tspark.locality.wait", default: "3000", doc: "Milliseconds a task waits for the worker holding its cached input before running elsewhere.", parse: milliseconds },
  localDir: { key: "tspark.local.dir", default: undefined, doc: "Directory for shuffle and spill files (default: the OS temporary directory).", parse: text },
  uiEnabled: { key: "tspark.ui.enabled", default: "true", doc: "Whether the context starts its web UI.", parse: flag },
  uiPort: { key: "tspark.ui.port", default: "4040", doc: "Port of the web UI (the next free one is used when taken; 0 = any free port).", parse: port },
  uiHost: { key: "tspark.ui.host", default: "127.0.0.1", doc: "Address the web UI binds to (loopback only by default).", parse: text },
  uiAuthenticate: { key: "tspark.ui.authenticate", default: "true", doc: "Whether the web UI answers only peers presenting the application's access token (in sc.uiWebUrl's ?token=, then a cookie, or an Authorization: Bearer header).", parse: flag },
  eventLogEnabled: { key: "tspark.eventLog.enabled", default: "false", doc: "Whether to write the application's events to tspark.eventLog.dir, for `tspark history` (on Spark, Spark writes its event log there, for Spark's history server).", parse: flag },
  eventLogDir: { key: "tspark.eventLog.dir", default: "tspark-events", doc: "Directory of event logs, one JSON-lines file per application named by its id (created if missing): a local path or file: URL; on Spark, any filesystem's URL Spark writes to (hdfs://, s3a://).", parse: pathOrUrl },
  showConsoleProgress: { key: "tspark.ui.showConsoleProgress", default: "true", doc: "Draw a progress bar of running stages on the console (only when stderr is a terminal).", parse: flag },
  logLevel: { key: "tspark.log.level", default: "WARN", doc: "Threshold of the engine's log: ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL or OFF (sc.setLogLevel changes it).", parse: logLevel },
  driverMemory: { key: "tspark.driver.memory", default: undefined, doc: "Heap limit of the driver process, e.g. 2g (the launcher sets it before the driver starts; ignored when set in code).", parse: parseBytes },
  files: { key: "tspark.files", default: undefined, doc: "Comma-separated files given to addFile when the context starts (--files).", parse: commaList },
} as const satisfies Record<string, ConfigKey>;

/** Every key tspark reads (a key outside it set in a SparkConf is someone else's: Spark's, say). */
export const TSPARK_KEYS: ReadonlySet<string> = new Set(Object.values(CONFIG_KEYS).map((c) => c.key));

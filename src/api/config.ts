/**
 * Every configuration key tspark reads, defined once: its default and what it does.
 * SparkConf, the CLI's --help and `toDebugString` all read this table.
 */
export interface ConfigKey {
  key: string;
  default: string | undefined;
  doc: string;
}

export const CONFIG_KEYS = {
  master: { key: "tspark.master", default: "local[*]", doc: "Where to run: local, local[N] or local[*] (one worker process per core)." },
  appName: { key: "tspark.app.name", default: "tspark", doc: "Application name shown in the UI and logs." },
  defaultParallelism: { key: "tspark.default.parallelism", default: undefined, doc: "Default number of partitions for parallelize and shuffles (default: number of worker slots)." },
  maxFailures: { key: "tspark.task.maxFailures", default: "4", doc: "Attempts of one task before its job fails." },
  maxResultSize: { key: "tspark.driver.maxResultSize", default: "1g", doc: "Limit on the total size of results an action brings to the driver (0 = unlimited)." },
  workerMemory: { key: "tspark.worker.memory", default: "512m", doc: "Memory a worker's aggregation and sort buffers may use before spilling to disk." },
  executorMemory: { key: "tspark.executor.memory", default: undefined, doc: "Heap limit of each worker process (node --max-old-space-size), e.g. 2g." },
  executorNodeOptions: { key: "tspark.executor.extraNodeOptions", default: undefined, doc: "Extra node flags for every worker process, space-separated (e.g. --cpu-prof --cpu-prof-dir=prof to profile workers)." },
  storageMemory: { key: "tspark.storage.memory", default: "256m", doc: "Memory each worker may use for cached RDD partitions; least recently used ones are evicted (to disk for MEMORY_AND_DISK)." },
  localityWait: { key: "tspark.locality.wait", default: "3000", doc: "Milliseconds a task waits for the worker holding its cached input before running elsewhere." },
  localDir: { key: "tspark.local.dir", default: undefined, doc: "Directory for shuffle and spill files (default: the OS temporary directory)." },
  uiEnabled: { key: "tspark.ui.enabled", default: "true", doc: "Whether the context starts its web UI." },
  uiPort: { key: "tspark.ui.port", default: "4040", doc: "Port of the web UI (the next free one is used when taken; 0 = any free port)." },
  uiHost: { key: "tspark.ui.host", default: "127.0.0.1", doc: "Address the web UI binds to (loopback only by default)." },
  uiAuthenticate: { key: "tspark.ui.authenticate", default: "true", doc: "Whether the web UI answers only peers presenting the application's access token (in sc.uiWebUrl's ?token=, then a cookie, or an Authorization: Bearer header)." },
  eventLogEnabled: { key: "tspark.eventLog.enabled", default: "false", doc: "Whether to write the application's events to tspark.eventLog.dir, for `tspark history`." },
  eventLogDir: { key: "tspark.eventLog.dir", default: "tspark-events", doc: "Directory of event logs, one JSON-lines file per application named by its id (created if missing)." },
  showConsoleProgress: { key: "tspark.ui.showConsoleProgress", default: "true", doc: "Draw a progress bar of running stages on the console (only when stderr is a terminal)." },
  logLevel: { key: "tspark.log.level", default: "WARN", doc: "Threshold of the engine's log: ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL or OFF (sc.setLogLevel changes it)." },
  driverMemory: { key: "tspark.driver.memory", default: undefined, doc: "Heap limit of the driver process, e.g. 2g (the launcher sets it before the driver starts; ignored when set in code)." },
  files: { key: "tspark.files", default: undefined, doc: "Comma-separated files given to addFile when the context starts (--files)." },
} as const satisfies Record<string, ConfigKey>;

/** A heap size as node's --max-old-space-size wants it (whole MiB, at least 16), for the driver and the workers alike. */
export function heapMegabytes(size: string): number {
  return Math.max(16, Math.floor(parseBytes(size) / 1024 / 1024));
}

/** Parses a size such as "512m", "1g", "64k" or "1024" (bytes). */
export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) throw new Error(`not a size: "${text}" (expected e.g. 512m, 1g, 65536)`);
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  return Math.round(Number(m[1]) * scale);
}

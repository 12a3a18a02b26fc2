import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SparkConf } from "../api/spark-conf.js";
import { SparkContext } from "../api/context.js";
import { parseLaunchArgs } from "../cli/launch-options.js";
import { parseSettings, type Settings } from "./settings.js";
import { effectiveConfig, isRedacted } from "./effective-config.js";
import type { MasterUrl } from "./master.js";
import type { LogLevel } from "../util/log.js";

const conf = (pairs: Record<string, string> = {}) => new SparkConf(false).setAll(pairs);

test("defaults parse into typed values", () => {
  const settings: Settings = parseSettings(conf());
  // Compile-time checks: the fields are typed values, not text.
  const workerMemory: number = settings.workerMemory;
  const master: MasterUrl = settings.master;
  const port: number | undefined = settings.ui?.port;
  const level: LogLevel | undefined = settings.logLevel;
  const files: readonly string[] = settings.files;
  assert.equal(workerMemory, 512 * 2 ** 20);
  assert.equal(master.engine, "local");
  assert.equal(master.text, "local[*]");
  assert.equal(port, 4040);
  assert.equal(level, undefined, "an unset level leaves the process's threshold alone");
  assert.deepEqual(files, []);
  assert.deepEqual({ ...settings, master: undefined, ui: { ...settings.ui } }, {
    master: undefined,
    sparkHome: undefined,
    sparkWorkerExec: undefined,
    sparkReadLocalFiles: true,
    appName: "tspark",
    defaultParallelism: undefined,
    maxFailures: 4,
    maxResultSize: 2 ** 30,
    workerMemory: 512 * 2 ** 20,
    executorMemory: undefined,
    joinKeyFilter: true,
    executorNodeOptions: [],
    workerProfileDir: undefined,
    storageMemory: 256 * 2 ** 20,
    speculation: undefined,
    localityWait: 3000,
    workerTimeout: 30_000,
    localDir: undefined,
    ui: { host: "127.0.0.1", port: 4040, authenticate: true },
    eventLogDir: undefined,
    showConsoleProgress: true,
    logLevel: undefined,
    files: [],
  });
});

test("tspark.speculation: Spark's defaults, durations in Spark's units", () => {
  assert.deepEqual(parseSettings(conf({ "tspark.speculation": "true" })).speculation, { intervalMs: 100, multiplier: 1.5, quantile: 0.75, minTaskRuntimeMs: 100 });
  assert.deepEqual(parseSettings(conf({ "tspark.speculation": "true", "tspark.speculation.interval": "1s", "tspark.speculation.minTaskRuntime": "2min" })).speculation, { intervalMs: 1000, multiplier: 1.5, quantile: 0.75, minTaskRuntimeMs: 120_000 });
});

test("tspark.engine=spark runs a local master on Spark; Spark's masters need no engine setting", () => {
  assert.deepEqual(parseSettings(conf({ "tspark.master": "local[3]", "tspark.engine": "spark" })).master, { engine: "spark", slots: 3, text: "local[3]" });
  assert.equal(parseSettings(conf({ "tspark.master": "yarn" })).master.engine, "spark");
  assert.equal(parseSettings(conf({ "tspark.master": "local[2]" })).master.engine, "local");
  assert.equal(parseSettings(conf({ "tspark.spark.home": "spark-4" })).sparkHome, resolve("spark-4"));
  assert.throws(() => parseSettings(conf({ "tspark.engine": "flink" })), /tspark\.engine must be local or spark, got "flink"/);
});

test("set values parse into their types; the object is frozen", () => {
  const settings = parseSettings(conf({
    "spark.master": "local[2]",
    "tspark.default.parallelism": "6",
    "tspark.executor.memory": "1g",
    "tspark.executor.extraNodeOptions": "--a  --b",
    "tspark.locality.wait": "0",
    "tspark.ui.port": "0",
    "tspark.ui.authenticate": "FALSE",
    "tspark.eventLog.enabled": "true",
    "tspark.eventLog.dir": "events",
    "tspark.log.level": "debug",
    "tspark.files": "a.txt, b.txt",
  }));
  assert.deepEqual(settings.master, { engine: "local", slots: 2, text: "local[2]" });
  assert.equal(settings.defaultParallelism, 6);
  assert.equal(settings.executorMemory, 2 ** 30);
  assert.deepEqual(settings.executorNodeOptions, ["--a", "--b"]);
  assert.equal(settings.localityWait, 0);
  assert.deepEqual(settings.ui, { host: "127.0.0.1", port: 0, authenticate: false });
  assert.equal(settings.eventLogDir, resolve("events"));
  assert.equal(settings.logLevel, "DEBUG");
  assert.deepEqual(settings.files, ["a.txt", "b.txt"]);
  assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.ui) && Object.isFrozen(settings.files) && Object.isFrozen(settings.master));
  // @ts-expect-error -- the fields are read-only
  assert.throws(() => (settings.maxFailures = 2), TypeError);
});

test("an empty heap limit is none", () => {
  assert.equal(parseSettings(conf({ "tspark.executor.memory": "" })).executorMemory, undefined);
});

test("a disabled UI's port and a disabled event log's directory are not read", () => {
  const settings = parseSettings(conf({ "tspark.ui.enabled": "false", "tspark.ui.port": "http" }));
  assert.equal(settings.ui, undefined);
  assert.equal(settings.eventLogDir, undefined);
  // The access-token flag is checked all the same, as it always was.
  assert.throws(() => parseSettings(conf({ "tspark.ui.enabled": "false", "tspark.ui.authenticate": "yes" })), /tspark\.ui\.authenticate must be true or false, got "yes"/);
});

test("the first bad value is reported, in the order the context always checked them", () => {
  assert.throws(() => parseSettings(conf({ "tspark.master": "mars://x", "tspark.task.maxFailures": "0" })), /unsupported master "mars:\/\/x"/);
  assert.throws(() => parseSettings(conf({ "tspark.task.maxFailures": "0", "tspark.worker.memory": "lots" })), /tspark\.task\.maxFailures must be a positive integer/);
  assert.throws(() => parseSettings(conf({ "tspark.worker.memory": "lots", "tspark.ui.port": "http" })), /not a size: "lots"/);
});

const UNSUPPORTED_MARS = `unsupported master "mars://x": use local, local[N] or local[*] (tspark's engine), or a Spark master (spark://HOST:PORT, yarn, k8s://..., local-cluster[N,C,M])`;

/** Bad values, the reason the launcher gives after the source, and the context's whole message. */
const REFUSED: Array<{ key: string; value: string; reason: string; context: string }> = [
  { key: "tspark.master", value: "mars://x", reason: UNSUPPORTED_MARS, context: UNSUPPORTED_MARS },
  { key: "tspark.master", value: "local[0]", reason: 'master "local[0]" needs at least one worker', context: 'master "local[0]" needs at least one worker' },
  { key: "tspark.worker.memory", value: "lots", reason: 'not a size: "lots" (expected e.g. 512m, 1g, 65536)', context: 'not a size: "lots" (expected e.g. 512m, 1g, 65536)' },
  { key: "tspark.storage.memory", value: "1x", reason: 'not a size: "1x" (expected e.g. 512m, 1g, 65536)', context: 'not a size: "1x" (expected e.g. 512m, 1g, 65536)' },
  { key: "tspark.executor.memory", value: "2 gigs", reason: 'not a size: "2 gigs" (expected e.g. 512m, 1g, 65536)', context: 'not a size: "2 gigs" (expected e.g. 512m, 1g, 65536)' },
  { key: "tspark.driver.maxResultSize", value: "all", reason: 'not a size: "all" (expected e.g. 512m, 1g, 65536)', context: 'not a size: "all" (expected e.g. 512m, 1g, 65536)' },
  // The context names the key of a bad log level; the launcher names the source.
  { key: "tspark.log.level", value: "LOUD", reason: 'unknown log level "LOUD"; use one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF', context: 'tspark.log.level: unknown log level "LOUD"; use one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF' },
];

test("the launcher and the context refuse the same values with the same parser's message", () => {
  const base = mkdtempSync(join(tmpdir(), "tspark-settings-"));
  try {
    for (const { key, value, reason, context } of REFUSED) {
      const what = `${key}=${value}`;
      assert.throws(() => parseLaunchArgs(["--conf", what], {}, base), { message: `--conf: ${reason}` }, what);
      assert.throws(() => parseSettings(conf({ [key]: value })), { message: context }, what);
      assert.throws(() => new SparkContext({ conf: { "tspark.master": "local[1]", "tspark.local.dir": base, [key]: value } }), { message: context }, what);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("settings the launcher leaves to the context are refused there, before anything is made", () => {
  const base = mkdtempSync(join(tmpdir(), "tspark-settings-"));
  try {
    const cases: Array<[string, string, RegExp]> = [
      ["tspark.task.maxFailures", "0", /: tspark\.task\.maxFailures must be a positive integer$/],
      ["tspark.ui.port", "70000", /: tspark\.ui\.port must be a port number/],
      ["tspark.ui.enabled", "yes", /: tspark\.ui\.enabled must be true or false, got "yes"$/],
      ["tspark.default.parallelism", "none", /: tspark\.default\.parallelism must be a positive integer$/],
      ["tspark.locality.wait", "3 s s", /: tspark\.locality\.wait must be a duration/],
      ["tspark.speculation.quantile", "1", /: tspark\.speculation\.quantile must be a fraction/],
    ];
    for (const [key, value, message] of cases) {
      assert.doesNotThrow(() => parseLaunchArgs(["--conf", `${key}=${value}`], {}, base), key);
      assert.throws(() => new SparkContext({ master: "local[1]", conf: { "tspark.local.dir": base, [key]: value } }), message, key);
      assert.deepEqual(readdirSync(base), [], `${key}: nothing left in tspark.local.dir`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("the UI and event log hide secret-looking keys and every executor environment value, never tspark's own settings", () => {
  for (const k of ["tspark.api.auth", "tspark.db.password", "tspark.db.pass", "tspark.s3.access.key", "tspark.api.token", "tspark.gcp.credentials", "tspark.executorEnv.DB_URL", "tspark.executorEnv.TZ", "my.secret"]) assert.equal(isRedacted(k), true, k);
  for (const k of ["tspark.ui.authenticate", "tspark.master", "tspark.sql.shuffle.partitions", "tspark.app.name"]) assert.equal(isRedacted(k), false, k);
  const shown = new Map(effectiveConfig(new SparkConf(false).setAll({ "tspark.executorEnv.DB_PASS": "hunter2", "tspark.api.auth": "Bearer x", "tspark.ui.authenticate": "true" })));
  assert.equal(shown.get("tspark.executorEnv.DB_PASS"), "*********(redacted)");
  assert.equal(shown.get("tspark.api.auth"), "*********(redacted)");
  assert.equal(shown.get("tspark.ui.authenticate"), "true");
});

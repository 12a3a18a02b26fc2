/**
 * SparkContext life cycle: one active context, idempotent stop that removes workers and
 * temporary files, getOrCreate, configuration precedence.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { SparkContext, SparkConf, SparkFiles } from "../index.js";
import { slotsForMaster } from "./context.js";
import { workerSemiSpaceMB } from "../backend/worker-flags.js";
import { logThreshold, setLogSink, setLogThreshold } from "../util/log.js";
import { alive } from "../testing/processes.js";

test("stop() ends the workers and removes shuffle files; it is idempotent", async () => {
  const sc = new SparkContext({ master: "local[2]", appName: "lifecycle" });
  assert.throws(() => new SparkContext({ master: "local[1]" }), /Only one SparkContext/);
  assert.equal(SparkContext.getOrCreate(), sc);
  await sc.parallelize<[number, number]>([[1, 1], [2, 2], [1, 3]], 2).reduceByKey((a, b) => a + b).collect();
  assert.ok(readdirSync(sc.localDir).some((f) => f.startsWith("shuffle-")), "shuffle output was written");
  const pids = sc.workerPids();
  assert.equal(pids.length, 2);
  await sc.stop();
  await sc.stop();
  assert.equal(existsSync(sc.localDir), false, "local dir removed");
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(pids.every((p) => !alive(p)), "workers stopped");
  assert.throws(() => sc.parallelize([1]), /stopped/);
  const again = new SparkContext({ master: "local[1]" });
  assert.equal(await again.parallelize([1, 2, 3]).count(), 3);
  await again.stop();
});

test("configuration: explicit settings, aliases and defaults", async () => {
  const conf = new SparkConf(false).setMaster("local[1]").setAppName("conf-test").set("spark.default.parallelism", 3).setIfMissing("tspark.app.name", "ignored");
  assert.equal(conf.get("tspark.default.parallelism"), "3", "spark.* keys alias tspark.*");
  assert.equal(conf.get("tspark.task.maxFailures"), "4", "documented default");
  assert.equal(conf.get("tspark.nope", "fallback"), "fallback");
  assert.ok(conf.contains("spark.app.name"));
  assert.match(conf.toDebugString(), /tspark\.app\.name=conf-test/);
  await using sc = new SparkContext(conf);
  assert.equal(sc.appName, "conf-test");
  assert.equal(sc.defaultParallelism, 3);
  assert.equal(sc.parallelize([1, 2, 3, 4]).getNumPartitions(), 3);
  assert.throws(() => slotsForMaster("mars://x"), /unsupported master/);
  assert.equal(slotsForMaster("local[3]"), 3);
  assert.equal(slotsForMaster("local"), 1);
});

test("workers get a sized young generation and tspark.executor.extraNodeOptions", async () => {
  const sc = new SparkContext({ master: "local[1]", conf: { "tspark.executor.extraNodeOptions": "--stack-size=900  --no-warnings", "tspark.executor.memory": "256m" } });
  try {
    const [argv] = await sc.parallelize([0], 1).map(() => process.execArgv).collect();
    assert.ok(argv!.includes("--stack-size=900") && argv!.includes("--no-warnings"), String(argv));
    assert.ok(argv!.includes("--max-semi-space-size=16"), String(argv));
  } finally {
    await sc.stop();
  }
  assert.equal(workerSemiSpaceMB(512 * 2 ** 20, undefined), 16);
  assert.equal(workerSemiSpaceMB(1024 * 2 ** 20, undefined), 32);
  assert.equal(workerSemiSpaceMB(4096 * 2 ** 20, undefined), 64);
  assert.equal(workerSemiSpaceMB(6 * 2 ** 20, undefined), 16);
  assert.equal(workerSemiSpaceMB(512 * 2 ** 20, 160 * 2 ** 20), 10);
});

test("tspark.log.level sets the log threshold (a bad level is refused); tspark.files are added at start", async () => {
  const before = logThreshold();
  const dir = mkdtempSync(join(tmpdir(), "tspark-conf-files-"));
  try {
    assert.throws(() => new SparkContext({ master: "local[1]", conf: { "tspark.log.level": "LOUD" } }), /tspark\.log\.level: unknown log level "LOUD"/);
    assert.throws(() => new SparkContext({ master: "local[1]", conf: { "tspark.files": join(dir, "missing.txt") } }), /addFile: .*missing\.txt does not exist/);
    writeFileSync(join(dir, "lookup.txt"), "42");
    await using sc = new SparkContext({ master: "local[1]", conf: { "tspark.log.level": "error", "tspark.files": join(dir, "lookup.txt") } });
    assert.equal(logThreshold(), "ERROR");
    assert.equal(readFileSync(SparkFiles.get("lookup.txt"), "utf8"), "42");
    assert.deepEqual(await sc.parallelize([0], 1).map(() => readFileSync(SparkFiles.get("lookup.txt"), "utf8")).collect(), ["42"]);
  } finally {
    setLogThreshold(before);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad setting fails the constructor before anything is made: no scratch directory, no workers", () => {
  const base = mkdtempSync(join(tmpdir(), "tspark-bad-conf-"));
  try {
    for (const [key, value] of [["tspark.ui.authenticate", "yes"], ["tspark.worker.memory", "lots"], ["tspark.storage.memory", "1x"], ["tspark.ui.showConsoleProgress", "maybe"]] as const) {
      assert.throws(() => new SparkContext({ master: "local[1]", conf: { "tspark.local.dir": base, [key]: value } }), new RegExp(key.replace(/\./g, "\\.") + "|" + value), key);
      assert.deepEqual(readdirSync(base), [], `${key}: nothing left in tspark.local.dir`);
    }
    // An event log directory on another filesystem is Spark's to write, not tspark's engine's.
    assert.throws(() => new SparkContext({ master: "local[1]", conf: { "tspark.local.dir": base, "tspark.eventLog.enabled": "true", "tspark.eventLog.dir": "hdfs://namenode/events" } }), /tspark's engine writes its event log to a local directory, not to hdfs:\/\/namenode\/events/);
    assert.deepEqual(readdirSync(base), []);
    // The context slot is free again: a good context starts.
    const sc = new SparkContext({ master: "local[1]", conf: { "tspark.local.dir": base } });
    return sc.stop();
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("a setting tspark does not read is a warning at start, naming the key that was meant", async () => {
  const lines: string[] = [];
  const prev = setLogSink((line) => lines.push(line));
  try {
    const sc = new SparkContext({ master: "local[1]", appName: "unknown-keys", conf: { "spark.task.maxFailure": 2, "tspark.ui.enabled": false } });
    await sc.stop();
  } finally {
    setLogSink(prev);
  }
  assert.ok(lines.some((l) => / WARN config: tspark\.task\.maxFailure: unknown setting; did you mean tspark\.task\.maxFailures\?/.test(l)), lines.join(""));
});

// tspark's worker under real Spark executors (each pinned release): records go in as frames,
// tspark's functions run in the worker Spark starts, results come back through
// collectAndServe, and a throwing function fails the job with its error as tspark's JSON.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { launchGateway, type SparkGateway } from "../gateway/launch-gateway.js";
import { testSparks } from "../testing/installed-spark.js";
import type { JavaObject } from "../py4j/py4j-client.js";
import type { SparkInstallation } from "../gateway/spark-home.js";
import { captureClosure } from "../../closure/capture.js";
import { encodeBatch, decodeBatch } from "../../serde/record-batch.js";
import type { Step } from "../../scheduler/plan.js";
import { encodeTaskCommand, type FrameCodec, type OutputCodec } from "../task-command.js";
import { collectFrames, parallelizeFrames, workerRdd } from "./jvm-rdds.js";
import { WORKER_LAUNCHER } from "./spark-session.js";
import { findTaskError } from "../task-error.js";

/** tspark's command running `steps` (whose fns are functions, captured here) over the executor's records. */
function command(input: FrameCodec, output: OutputCodec, steps: Array<Omit<Step, "fns"> & { fns?: Function[] }>): Buffer {
  const closures: Array<[string, Uint8Array]> = [];
  const planned = steps.map((s) => ({
    ...s,
    fns: s.fns?.map((f) => {
      const c = captureClosure(f);
      closures.push([c.id, c.bytes]);
      return c.id;
    }),
  })) as Step[];
  return encodeTaskCommand({ output, plans: { all: { kind: "narrow", parent: { kind: "executor-input" }, partitionIndex: -1, steps: planned }, input }, closures, classes: [], broadcasts: [], modules: [] });
}

for (const s of testSparks()) {
  let gw: SparkGateway;
  let jsc: JavaObject;
  const dir = mkdtempSync(join(os.tmpdir(), "tspark-spark-worker-"));
  const opts = { skip: s.skip, timeout: 180_000 };
  const spark = s.spark as SparkInstallation;

  before(async () => {
    if (s.skip) return;
    gw = await launchGateway({ spark, master: "local[2]", conf: [["spark.ui.enabled", "false"], ["spark.python.use.daemon", "false"], ["spark.ui.showConsoleProgress", "false"]] });
    const conf = await gw.client.construct("org.apache.spark.SparkConf", true);
    await conf.call("setAppName", "tspark-worker-test");
    jsc = await gw.client.construct("org.apache.spark.api.java.JavaSparkContext", conf);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (s.skip) return;
    await jsc.call("stop").catch(() => {});
    await gw.stop();
  });

  const fn = (c: Buffer) => ({ command: c, workerExec: WORKER_LAUNCHER, minor: spark.minor });

  test(`Spark ${s.version}: parallelized batches through a map in tspark's worker, in order`, opts, async () => {
    const input = await parallelizeFrames(gw.client, jsc, [encodeBatch([1, 2, 3]), encodeBatch([4, 5]), encodeBatch([6])], 2);
    const factor = 10;
    const mapped = await workerRdd(gw.client, input, fn(command("batches", "batches", [{ op: "map", fns: [(x: number) => x * factor] }])));
    const frames = await collectFrames(gw.client, mapped);
    assert.deepEqual(frames.flatMap((f) => decodeBatch<number>(f)), [10, 20, 30, 40, 50, 60]);
  });

  test(`Spark ${s.version}: textFile lines (UTF-8 frames, through Spark's Hadoop input) split into words and written back as text`, opts, async () => {
    const path = join(dir, "in.txt");
    writeFileSync(path, "to be or\nnot to be\n\nünïcødé 🚀 line\n");
    const lines = (await jsc.call("textFile", path, 2)) as JavaObject;
    const words = await workerRdd(gw.client, lines, fn(command("utf8", "utf8", [{ op: "flatMap", fns: [(l: string) => l.split(" ").filter(Boolean)] }, { op: "filter", fns: [(w: string) => w !== "or"] }])));
    const frames = await collectFrames(gw.client, words);
    assert.deepEqual(frames.map((f) => f.toString("utf8")), ["to", "be", "not", "to", "be", "ünïcødé", "🚀", "line"]);
  });

  test(`Spark ${s.version}: a throwing function fails the job; the error comes back as tspark's JSON with the user's message and stack`, opts, async () => {
    const input = await parallelizeFrames(gw.client, jsc, [encodeBatch([1, 2, 3])], 1);
    const bad = await workerRdd(gw.client, input, fn(command("batches", "batches", [{ op: "map", fns: [(x: number) => { if (x === 2) throw new RangeError(`record ${x} is out of range`); return x; }] }])));
    await assert.rejects(collectFrames(gw.client, bad), (e: Error & { code: string; javaStackTrace?: string }) => {
      assert.equal(e.code, "JVM_ERROR");
      const text = e.javaStackTrace ?? e.message;
      const err = findTaskError(text)!;
      assert.equal(err.name, "RangeError");
      assert.equal(err.message, "record 2 is out of range");
      assert.match(err.stack!, /jvm-rdds\.test\.[tj]s/);
      return true;
    });
  });
}

/**
 * Standby workers (the launcher's, started before the program's context): a context adopts
 * those started as it would start its own, gives them its application's variables, and kills
 * the rest.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { SparkContext } from "../api/context.js";
import { SparkConf } from "../api/spark-conf.js";
import { parseSettings } from "../config/settings.js";
import { startStandbyWorkers, standbyPids, discardStandbyWorkers } from "./standby-workers.js";
import { localWorkerNodeArgs } from "./worker-flags.js";
import { alive, waitUntil } from "../testing/processes.js";
import { tmpdir } from "node:os";

test.afterEach(() => discardStandbyWorkers());

function nodeArgsFor(conf: Record<string, string>): string[] {
  return localWorkerNodeArgs(parseSettings(new SparkConf(false).setAll(conf)));
}

test("a context adopts the standby workers started with its flags, and they run its tasks with its variables", async () => {
  const conf = { "tspark.master": "local[2]", "tspark.worker.memory": "96m" };
  startStandbyWorkers(2, nodeArgsFor(conf));
  const standby = standbyPids();
  assert.equal(standby.length, 2);
  const sc = new SparkContext({ conf });
  try {
    assert.deepEqual(standbyPids(), []);
    assert.deepEqual([...sc.workerPids()].sort(), [...standby].sort());
    const seen = await sc.parallelize([0, 1], 2).map(() => [process.pid, process.env["TSPARK_LOCAL_DIR"], process.env["TSPARK_WORKER_MEMORY_BYTES"], process.env["TSPARK_WORKER_STANDBY"] ?? "unset"]).collect();
    assert.deepEqual(new Set(seen.map((s) => s[0])), new Set(standby));
    for (const [, dir, memory, mark] of seen) {
      assert.equal(dir, sc.localDir);
      assert.equal(memory, String(96 * 2 ** 20));
      assert.equal(mark, "unset");
    }
    // A shuffle writes under the application's directory, which the adopted workers learned.
    const counts = await sc.parallelize(["a", "b", "a", "c", "a"], 2).map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b, 2).collectAsMap();
    assert.deepEqual(counts, new Map([["a", 3], ["b", 1], ["c", 1]]));
  } finally {
    await sc.stop();
  }
});

test("standby workers started with other flags are killed, and the context starts its own", async () => {
  startStandbyWorkers(1, ["--max-semi-space-size=3"]);
  const [standby] = standbyPids() as [number];
  const sc = new SparkContext({ master: "local[1]" });
  try {
    assert.notDeepEqual(sc.workerPids(), [standby]);
    assert.ok(await waitUntil(() => !alive(standby), 5000), "the unadopted standby worker was killed");
    assert.deepEqual(await sc.parallelize([1, 2, 3]).collect(), [1, 2, 3]);
  } finally {
    await sc.stop();
  }
});

test("a standby worker is not adopted when the environment changed since it started", async () => {
  const conf = { "tspark.master": "local[1]" };
  startStandbyWorkers(1, nodeArgsFor(conf));
  const [standby] = standbyPids() as [number];
  process.env["TSPARK_STANDBY_TEST"] = "set after the standby worker started";
  const sc = new SparkContext({ conf });
  try {
    assert.notDeepEqual(sc.workerPids(), [standby]);
    // The worker the context started itself has the environment as it is now.
    assert.deepEqual(await sc.parallelize([0], 1).map(() => process.env["TSPARK_STANDBY_TEST"]).collect(), ["set after the standby worker started"]);
  } finally {
    delete process.env["TSPARK_STANDBY_TEST"];
    await sc.stop();
  }
});

test("a standby worker is not adopted when the program changed its working directory since", async () => {
  const conf = { "tspark.master": "local[1]" };
  startStandbyWorkers(1, nodeArgsFor(conf));
  const [standby] = standbyPids() as [number];
  const home = process.cwd();
  process.chdir(tmpdir());
  const sc = new SparkContext({ conf });
  try {
    assert.notDeepEqual(sc.workerPids(), [standby]);
    assert.deepEqual(await sc.parallelize([0], 1).map(() => process.cwd()).collect(), [process.cwd()]);
  } finally {
    process.chdir(home);
    await sc.stop();
  }
});

test("unadopted standby workers do not keep the process alive", async () => {
  const { spawnSync } = await import("node:child_process");
  const program = `
    const { startStandbyWorkers, standbyPids } = await import(${JSON.stringify(new URL("./standby-workers.js", import.meta.url).href)});
    startStandbyWorkers(2, []);
    console.log(standbyPids().join(","));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  const pids = r.stdout.trim().split(",").map(Number);
  assert.equal(pids.length, 2);
  assert.ok(await waitUntil(() => pids.every((p) => !alive(p)), 5000), "the standby workers exited with the process");
});

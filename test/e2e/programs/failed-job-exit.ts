import { SparkContext } from "tspark";
import { runtimeOf } from "../../../dist/driver/runtime-registry.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A job fails while other tasks of it (or of a concurrent job) still run; after stop() the
// program must exit by itself. If it does not, it says what keeps its event loop alive.
const scenario = process.argv[2];
// "at-startup": the workers cannot start until the program lets them (after its stop()).
const gateDir = scenario === "at-startup" ? mkdtempSync(join(tmpdir(), "tspark-start-gate-")) : undefined;
const gate = gateDir && join(gateDir, "open");
const sc = new SparkContext({
  master: "local[2]",
  conf: {
    "tspark.task.maxFailures": "1",
    ...(gate ? { "tspark.executor.extraNodeOptions": `--import ${join(import.meta.dirname, "helpers", "start-gate.mjs")}`, "tspark.executorEnv.TSPARK_TEST_START_GATE": gate } : {}),
  },
});
console.log(`pids ${sc.workerPids().join(",")}`);
const slow = async (x: number) => new Promise<number>((r) => setTimeout(() => r(x), 300));
const boom = (x: number): number => {
  if (x === 2) throw new Error("boom");
  return x;
};
try {
  if (scenario === "sibling-stage") {
    // Two shuffle map stages of one job run together; one fails at once, the other runs on.
    const good = sc.parallelize([1, 2, 3, 4, 5, 6, 7, 8], 4).map(slow).map((x) => [x % 2, x] as [number, number]).reduceByKey((a, b) => a + b);
    const bad = sc.parallelize([1, 2], 2).map(boom).map((x) => [x % 2, x] as [number, number]).reduceByKey((a, b) => a + b);
    await good.join(bad).collect();
  } else if (scenario === "concurrent-jobs") {
    // The failing action is awaited together with one still running.
    const rs = await Promise.allSettled([sc.parallelize([1, 3, 4, 5, 6, 7], 6).map(slow).collect(), sc.parallelize([1, 2], 2).map(boom).collect()]);
    for (const r of rs) console.log(r.status === "fulfilled" ? `ok ${JSON.stringify(r.value)}` : `rejected`);
    const failed = rs.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  } else if (scenario === "at-startup") {
    // One shuffle map stage fails in planning (a barrier stage wider than the workers) while
    // two others' tasks, more than there are workers, wait for the workers to start.
    const pairs = (n: number) => sc.parallelize([1, 2, 3, 4, 5, 6, 7, 8], n).map((x) => [x % 2, x] as [number, number]).reduceByKey((a, b) => a + b);
    const bad = sc.parallelize([1, 2, 3], 3).barrier().mapPartitions((it) => it).map((x) => [x % 2, x] as [number, number]).reduceByKey((a, b) => a + b);
    await pairs(4).join(pairs(4)).join(bad).collect();
  } else if (scenario === "cancelled-waiting-for-locality") {
    // A job's task waits for the busy worker holding its cached input when the job is cancelled.
    const cached = sc.parallelize([1], 1).cache();
    await cached.count();
    let started = 0;
    let busy!: () => void;
    const workersBusy = new Promise<void>((r) => (busy = r));
    runtimeOf(sc).addListener((e) => e.event === "taskStart" && ++started === 2 && busy());
    const slowJob = sc.parallelize([1, 2], 2).map(async (x) => new Promise<number>((r) => setTimeout(() => r(x), 1_500))).collect();
    await workersBusy;
    sc.setJobGroup("waits", "waits for its cached input");
    const waiting = cached.map((x) => x + 1).collect();
    await new Promise((r) => setTimeout(r, 200)); // its task queues for the worker
    sc.cancelJobGroup("waits");
    const rs = await Promise.allSettled([slowJob, waiting]);
    for (const r of rs) console.log(r.status === "fulfilled" ? `ok ${JSON.stringify(r.value)}` : `rejected ${(r.reason as Error).message}`);
  } else throw new Error(`unknown scenario ${scenario}`);
  console.log("no error");
} catch (err) {
  console.log(`failed: ${(err as Error).message.split("\n")[0]}; ${String((err as Error).cause ?? "")}`);
} finally {
  const stopping = sc.stop();
  if (gate) writeFileSync(gate, "");
  await stopping;
  if (gateDir) rmSync(gateDir, { recursive: true, force: true });
  console.log("stopped");
  setTimeout(() => console.log(`still alive: ${process.getActiveResourcesInfo().join(",")}`), 3000).unref();
}

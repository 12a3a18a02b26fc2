import { SparkContext } from "tspark";
import { runtimeOf } from "../../../dist/driver/runtime-registry.js";

// stop() lands between a task's launch and its wait for a worker: a second job's stage is
// submitted while the only worker runs the first job's slow task, and the listener of that
// submission stops the context before the task has queued for the worker. Both jobs must
// fail with a clear error and the program must exit by itself, leaving no worker behind.
const sc = new SparkContext({ master: "local[1]" });
console.log(`pids ${sc.workerPids().join(",")}`);
await sc.range(0, 1, 1, 1).count(); // the worker is up
let stageSubmissions = 0;
let startWaiting!: () => void;
const slowRuns = new Promise<void>((r) => (startWaiting = r));
runtimeOf(sc).addListener((e) => {
  if (e.event === "taskStart") startWaiting();
  if (e.event === "stageSubmitted" && ++stageSubmissions === 2) queueMicrotask(() => void sc.stop());
});
const slow = sc.parallelize([1], 1).map(async (x) => new Promise<number>((r) => setTimeout(() => r(x), 2_000))).collect();
await slowRuns; // the worker is busy
const waiting = sc.parallelize([2], 1).collect();
const outcomes = await Promise.allSettled([slow, waiting]);
for (const [i, name] of ["slow", "waiting"].entries()) {
  const r = outcomes[i]!;
  console.log(`${name}: ${r.status === "fulfilled" ? "ok" : (r.reason as Error).message.split("\n")[0]}`);
}
await sc.stop();
console.log("stopped");
setTimeout(() => console.log(`still alive: ${process.getActiveResourcesInfo().join(",")}`), 3000).unref();

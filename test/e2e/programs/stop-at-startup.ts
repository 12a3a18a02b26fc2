import { SparkContext } from "tspark";
import { runtimeOf } from "../../../dist/driver/runtime-registry.js";

// stop() while the first jobs' tasks wait for the workers to start (a job that fails at
// once, in planning, and a program that stops in its catch do this): more tasks wait than
// there are workers. Every job must fail with a clear error and the program exit by itself.
const sc = new SparkContext({ master: "local[1]" });
console.log(`pids ${sc.workerPids().join(",")}`);
let stageSubmissions = 0;
runtimeOf(sc).addListener((e) => {
  if (e.event === "stageSubmitted" && ++stageSubmissions === 2) queueMicrotask(() => void sc.stop());
});
const outcomes = await Promise.allSettled([sc.range(0, 4, 1, 2).collect(), sc.range(0, 4, 1, 2).collect()]);
for (const r of outcomes) console.log(`job: ${r.status === "fulfilled" ? "ok" : (r.reason as Error).message.split("\n")[0]}`);
await sc.stop();
console.log("stopped");
setTimeout(() => console.log(`still alive: ${process.getActiveResourcesInfo().join(",")}`), 3000).unref();

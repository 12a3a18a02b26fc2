import { SparkContext } from "tspark";

const sc = new SparkContext({ master: "local[2]" });
await sc.range(0, 2).count(); // workers are up
console.log(`localDir ${sc.localDir}`);
console.log(`pids ${sc.workerPids().join(",")}`);
if (process.argv[2] === "idle") await new Promise((r) => setTimeout(r, 60_000)); // workers wait for work
else await sc.range(0, 2, 1, 2).map((x) => { const end = Date.now() + 60_000; while (Date.now() < end); return x; }).collect();

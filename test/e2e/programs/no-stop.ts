import { SparkContext } from "tspark";

// Forgets sc.stop(): the program must still exit, and its workers with it.
const sc = new SparkContext({ master: "local[2]" });
console.log(`pids ${sc.workerPids().join(",")}`);
console.log(`sum ${await sc.range(0, 100).sum()}`);

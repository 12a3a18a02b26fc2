import { SparkContext } from "tspark";

// A save that takes long: the test interrupts it midway.
const sc = new SparkContext({ master: "local[2]" });
const out = process.argv[2]!;
console.log(`localDir ${sc.localDir}`);
console.log(`pids ${sc.workerPids().join(",")}`);
await sc.range(0, 8, 1, 8).map((x) => {
  const end = Date.now() + (x < 2 ? 100 : 20_000);
  while (Date.now() < end);
  return `line ${x}`;
}).saveAsTextFile(out);
console.log("finished (should not happen)");

// Run by spark-engine.test.ts with tspark's worker sealed by Node's permission model: it may
// read only tspark's installation and Spark's own directories, so what its tasks need (input
// lines, broadcast values, the program's own modules, added files) must reach it through Spark, not
// through the driver's files.
import { SparkContext, SparkFiles } from "tspark";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { roundTrip } from "./helpers/shipped.ts";

const sc = new SparkContext({ appName: "spark-sealed" });
const show = (label: string, v: unknown) => console.log(`${label} ${JSON.stringify(v)}`);
const driverFile = join(sc.localDir, "driver-only.txt");
writeFileSync(driverFile, "a\nb\nc\n");

show("driver's files", await sc.parallelize([0], 1).map(() => {
  try {
    readFileSync(driverFile);
    return "readable";
  } catch (err) {
    return (err as { code?: string }).code;
  }
}).collect());
show("input", await sc.textFile(driverFile).map((l) => l.toUpperCase()).collect());
const names = sc.broadcast(new Map([[1, "one"], [2, "two"]]));
const seen = sc.accumulator(0);
show("broadcast", await sc.parallelize([1, 2, 1], 2).map((k) => { seen.add(1); return names.value.get(k); }).collect());
show("accumulator", seen.value);
const later = sc.broadcast("made after the first job");
show("second broadcast", await sc.parallelize([0], 1).map(() => `${later.value}, ${names.value.size}`).collect());
show("module", await sc.parallelize(["a", "b"], 2).map((s) => roundTrip(s)).collect());
sc.addFile(driverFile);
show("added file", await sc.parallelize([0], 1).map(() => readFileSync(SparkFiles.get("driver-only.txt"), "utf8").split("\n").length).collect());
names.destroy();
show("after destroy", await sc.parallelize([0], 1).map(() => later.value.length).collect());
await sc.stop();

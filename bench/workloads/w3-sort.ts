/** W3: sort the key/value file by key and write it out. */
import { SparkContext } from "tspark";
import { runtimeOf } from "../../dist/driver/runtime-registry.js";
import { report } from "./common.js";

const sc = new SparkContext({ appName: "W3 sort" });
const started = performance.now();
try {
  await sc.textFile(process.argv[2]!).map((l) => {
    const t = l.indexOf("\t");
    return [l.slice(0, t), l.slice(t + 1)] as [string, string];
  }).sortByKey().map(([k, v]) => `${k}\t${v}`).saveAsTextFile(process.argv[3]!);
  report("written", runtimeOf(sc).executorInfos().map((e) => e.peakRssBytes), started);
} finally {
  await sc.stop();
}

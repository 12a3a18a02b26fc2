/** W2: sum of values by key over the key/value file; reports the number of keys and the total. */
import { SparkContext } from "tspark";
import { runtimeOf } from "../../dist/driver/runtime-registry.js";
import { report } from "./common.js";

const sc = new SparkContext({ appName: "W2 sum by key" });
const started = performance.now();
try {
  const sums = sc.textFile(process.argv[2]!).map((l) => {
    const t = l.indexOf("\t");
    return [l.slice(0, t), Number(l.slice(t + 1))] as [string, number];
  }).reduceByKey((a, b) => a + b);
  const [keys, total] = await sums.aggregate([0, 0] as [number, number], (acc, [, v]) => [acc[0] + 1, acc[1] + v], (a, b) => [a[0] + b[0], a[1] + b[1]]);
  report({ keys, total }, runtimeOf(sc).executorInfos().map((e) => e.peakRssBytes), started);
} finally {
  await sc.stop();
}

/** W1: word count, top 10 words. */
import { SparkContext } from "tspark";
import { runtimeOf } from "../../dist/driver/runtime-registry.js";
import { report } from "./common.js";

const sc = new SparkContext({ appName: "W1 wordcount" });
const started = performance.now();
try {
  const top = await sc.textFile(process.argv[2]!)
    .flatMap((l) => l.split(" "))
    .map((w) => [w, 1] as [string, number])
    .reduceByKey((a, b) => a + b)
    .takeOrdered(10, ([w, n]) => [-n, w]);
  report(top, runtimeOf(sc).executorInfos().map((e) => e.peakRssBytes), started);
} finally {
  await sc.stop();
}

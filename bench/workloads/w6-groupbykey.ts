/** W6: groupByKey over data several times tspark.worker.memory (set by the runner). */
import { SparkContext } from "tspark";
import { runtimeOf } from "../../dist/driver/runtime-registry.js";
import { report } from "./common.js";

const sc = new SparkContext({ appName: "W6 groupByKey" });
const started = performance.now();
try {
  const groups = sc.textFile(process.argv[2]!).map((l) => {
    const t = l.indexOf("\t");
    return [l.slice(0, t), Number(l.slice(t + 1))] as [string, number];
  }).groupByKey().mapValues((vs) => {
    let n = 0;
    for (const _ of vs) n++;
    return n;
  });
  const [keys, values] = await groups.aggregate([0, 0] as [number, number], (acc, [, n]) => [acc[0] + 1, acc[1] + n], (a, b) => [a[0] + b[0], a[1] + b[1]]);
  report({ keys, values }, runtimeOf(sc).executorInfos().map((e) => e.peakRssBytes), started);
} finally {
  await sc.stop();
}

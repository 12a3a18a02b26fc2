/** W4: join the key/value file with the small dimension table; count the matches. */
import { SparkContext } from "tspark";
import { runtimeOf } from "../../dist/driver/runtime-registry.js";
import { report } from "./common.js";

const sc = new SparkContext({ appName: "W4 join" });
const started = performance.now();
const split = (l: string) => {
  const t = l.indexOf("\t");
  return [l.slice(0, t), l.slice(t + 1)] as [string, string];
};
try {
  const n = await sc.textFile(process.argv[2]!).map(split).join(sc.textFile(process.argv[3]!).map(split)).count();
  report(n, runtimeOf(sc).executorInfos().map((e) => e.peakRssBytes), started);
} finally {
  await sc.stop();
}

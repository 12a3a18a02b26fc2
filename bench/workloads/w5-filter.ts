/** W5: parse, filter, count: pure per-record engine overhead. */
import { SparkContext } from "tspark";
import { runtimeOf } from "../../dist/driver/runtime-registry.js";
import { report } from "./common.js";

const sc = new SparkContext({ appName: "W5 filter" });
const started = performance.now();
try {
  const n = await sc.textFile(process.argv[2]!).map((l) => l.split(" ")).filter((ws) => ws.length > 10 && ws[0]!.length < 3).count();
  report(n, runtimeOf(sc).executorInfos().map((e) => e.peakRssBytes), started);
} finally {
  await sc.stop();
}

// collect() of more than a small driver heap holds (test/e2e/launcher.test.ts runs it with --driver-memory 100m).
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "big-collect" });
try {
  const rows = await sc.range(0, 3_000_000, 1, 4).map((i) => `record number ${i} with some padding text`).collect();
  console.log(`collected ${rows.length}`);
} finally {
  await sc.stop();
}

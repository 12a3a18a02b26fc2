// A job that runs until it is interrupted (test/e2e/spark-engine.test.ts sends Ctrl-C).
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "spark-long" });
console.log(`ready ${await sc.parallelize([1, 2]).count()}`);
await sc.parallelize([1, 2], 2).map((x) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000); // a task that takes two minutes
  return x;
}).collect();
console.log("finished");
await sc.stop();

// A program whose job fails on Spark and that never calls sc.stop(): the driver must still
// exit (with the job's error) and take Spark's JVM with it.
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "spark-unstopped" });
await sc.parallelize([1], 1).map(() => { throw new Error("boom"); }).collect();

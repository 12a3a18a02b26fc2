// Failures on Spark (test/e2e/spark-engine.test.ts): a function that throws, and a shuffle.
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "spark-failures" });
function parse(line: string): number {
  if (!/^\d+$/.test(line)) throw new RangeError(`not a number: "${line}"`);
  return Number(line);
}
try {
  await sc.parallelize(["1", "2", "x3", "4"], 2).map(parse).collect();
} catch (err) {
  console.log(`THREW ${(err as Error & { code?: string }).code}: ${(err as Error).message}`);
}
try {
  await sc.parallelize([["a", 1], ["b", 2], ["a", 3]] as Array<[string, number]>).reduceByKey((a, b) => a + b).collect();
} catch (err) {
  console.log(`SHUFFLE ${(err as Error).message}`);
}
await sc.stop();

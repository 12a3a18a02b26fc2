// Failures on Spark (test/e2e/spark-engine.test.ts): a function that throws, before and after
// a shuffle; a worker killed in a map task, which Spark retries.
import { SparkContext, TaskContext } from "tspark";

const sc = new SparkContext({ appName: "spark-failures" });
function parse(line: string): number {
  if (!/^\d+$/.test(line)) throw new RangeError(`not a number: "${line}"`);
  return Number(line);
}
const report = async (what: string, action: () => Promise<unknown>) => {
  try {
    console.log(`${what} ${JSON.stringify(await action())}`);
  } catch (err) {
    console.log(`${what} THREW ${(err as Error & { code?: string }).code}: ${(err as Error).message}`);
  }
};
await report("narrow", () => sc.parallelize(["1", "2", "x3", "4"], 2).map(parse).collect());
const pairs = sc.parallelize([["a", 1], ["b", 2], ["a", 3], ["c", 4]] as Array<[string, number]>, 2);
await report("reduce side", () => pairs.reduceByKey((a, b) => {
  if (a + b > 3) throw new Error(`sum too large: ${a + b}`);
  return a + b;
}, 2).collect());
// Accumulator additions count once per successful task, wherever the task runs (a shuffle's map side too).
const mapped = sc.accumulator(0);
await report("killed map task", () => pairs
  .map(([k, v]) => {
    mapped.add(1);
    // The first attempt of the first map task dies as an out-of-memory kill would.
    if (TaskContext.get()!.partitionId() === 0 && TaskContext.get()!.attemptNumber() === 0) process.kill(process.pid, "SIGKILL");
    return [k, v] as [string, number];
  })
  .reduceByKey((a, b) => a + b, 2)
  .collect()
  .then((r) => r.sort()));
console.log(`map-side additions ${mapped.value}`);
await sc.stop();

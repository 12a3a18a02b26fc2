// Barrier stages on Spark (test/e2e/spark-engine.test.ts): Spark starts the tasks together and
// coordinates BarrierTaskContext's calls through the server it opens for each task.
import { BarrierTaskContext, SparkContext } from "tspark";

const sc = new SparkContext({ appName: "spark-barrier" });
const gathered = await sc.parallelize([1, 2, 3, 4, 5], 2).barrier().mapPartitions(async (it) => {
  const ctx = BarrierTaskContext.get()!;
  const all = await ctx.allGather(String([...it].reduce((a, b) => a + b, 0)));
  await ctx.barrier();
  return [`${all.join(",")} of ${ctx.getTaskInfos().length}`];
}).collect();
console.log(`allGather ${JSON.stringify(gathered)}`);
// Partition 0 reaches the barrier 1.5 s late: partition 1 waits for it there.
const waits = await sc.parallelize([0, 1], 2).barrier().mapPartitionsWithIndex(async (i) => {
  if (i === 0) await new Promise((r) => setTimeout(r, 1500));
  const before = Date.now();
  await BarrierTaskContext.get()!.barrier();
  return [Date.now() - before];
}).collect();
console.log(`partition 1 waited ${waits[1]! >= 1000}`);
// A barrier stage on a shuffle's map side.
const summed = await sc.parallelize([["a", 1], ["b", 2], ["a", 3]] as Array<[string, number]>, 2).barrier().mapPartitions(async function* (it) {
  await BarrierTaskContext.get()!.barrier();
  yield* it;
}).reduceByKey((a, b) => a + b).collect();
console.log(`barrier map side ${JSON.stringify(summed.sort())}`);
console.log(`outside ${JSON.stringify(await sc.parallelize([1], 1).map(() => BarrierTaskContext.get() === undefined).collect())}`);
await sc.stop();

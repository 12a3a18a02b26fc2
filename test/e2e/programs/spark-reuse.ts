// Workers outlive their tasks on Spark (test/e2e/spark-engine.test.ts): jobs of many tasks run
// in a few processes, and what a reused worker was sent once (a broadcast's file, closures)
// serves its later tasks; a dropped broadcast is dropped there too, and a failed task's
// worker is replaced. Every executor's workers start with the context. The workers get tspark's heap settings.
import { getHeapStatistics } from "node:v8";
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "spark-reuse" });
// The context's probe job ran a task in each executor slot: the first job's workers were already running.
const firstJobAt = Date.now();
const started = await sc.parallelize(Array.from({ length: sc.defaultParallelism }, (_, i) => i), sc.defaultParallelism).map(() => Date.now() - process.uptime() * 1000).collect();
console.log(`first job's workers started with the context ${started.every((t) => t < firstJobAt)}`);
const weights = sc.broadcast({ factor: 3 });
const pids = new Set<number>();
const sums: number[] = [];
for (let job = 0; job < 3; job++) {
  const out = await sc.parallelize(Array.from({ length: 64 }, (_, i) => i), 16)
    .mapPartitions(function* (xs) {
      let s = 0;
      for (const x of xs) s += x * weights.value.factor;
      yield [process.pid, s] as [number, number];
    })
    .collect();
  for (const [pid] of out) pids.add(pid);
  sums.push(out.reduce((a, [, s]) => a + s, 0));
}
console.log(`sums ${JSON.stringify(sums)}`);
const counted = await sc.parallelize(["a", "b", "a", "c"], 4).map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b, 2).collectAsMap();
console.log(`counted ${JSON.stringify([...counted].sort())}`);
const later = sc.broadcast("made after the first jobs");
console.log(`later ${JSON.stringify(await sc.parallelize([1, 2, 3, 4], 4).map((x) => `${later.value}, ${x * weights.value.factor}`).collect())}`);
await weights.destroy();
const again = sc.broadcast({ factor: 5 });
console.log(`after destroy ${await sc.parallelize([1, 2, 3, 4], 4).map((x) => x * again.value.factor).sum()}`);
try {
  await sc.parallelize([1, 2, 3, 4], 4).map((x) => {
    if (x === 3) throw new Error("three");
    return x;
  }).collect();
} catch (err) {
  console.log(`failed ${(err as Error).message.includes("three")}`);
}
console.log(`after a failure ${await sc.parallelize([1, 2, 3, 4], 4).sum()}`);
// tspark.executor.memory bounds the workers' heap on Spark too (the test sets 256m).
const heaps = await sc.parallelize([1, 2], 2).map(() => getHeapStatistics().heap_size_limit).collect();
console.log(`worker heap bounded ${heaps.every((h) => h < 400 * 2 ** 20)}`);
console.log(`processes ${pids.size}`);
await sc.stop();

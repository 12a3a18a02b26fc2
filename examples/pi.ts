/**
 * Monte Carlo estimate of pi: each partition throws darts at the unit square and counts the
 * ones inside the quarter circle. Every partition seeds its own generator with its
 * TaskContext partition id, so the output is the same on every run and any --master.
 *
 *   npx tspark examples/pi.ts [partitions=4]
 */
import { SparkContext, TaskContext } from "tspark";
import { mulberry32 } from "./lib/random.ts";

const partitions = Number(process.argv[2] ?? 4);
const samplesPerPartition = 100_000;

const sc = new SparkContext({ appName: "pi" });
try {
  const inside = await sc
    .parallelize(Array.from({ length: partitions }, (_, i) => i), partitions)
    .mapPartitions(() => {
      const random = mulberry32(1_000 + TaskContext.get()!.partitionId());
      let hits = 0;
      for (let i = 0; i < samplesPerPartition; i++) {
        const x = random() * 2 - 1;
        const y = random() * 2 - 1;
        if (x * x + y * y <= 1) hits++;
      }
      return [hits];
    })
    .sum();
  console.log(`Pi is roughly ${(4 * inside) / (partitions * samplesPerPartition)}`);
} finally {
  await sc.stop();
}

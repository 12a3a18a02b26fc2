// checkpoint() and localCheckpoint() on Spark (test/e2e/spark-engine.test.ts): Spark writes a
// checkpointed RDD to the checkpoint directory (any Hadoop path) after the first job computing
// it and cuts its lineage, so later jobs read the checkpoint instead of computing it again.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "spark-checkpoint" });
sc.setCheckpointDir(process.argv[2]!);
const computed = sc.accumulator(0);
const squares = sc.parallelize(Array.from({ length: 100 }, (_, i) => i), 4).map((x) => {
  computed.add(1);
  return x * x;
});
squares.checkpoint();
console.log(`before a job ${squares.isCheckpointed()}`);
console.log(`sum ${await squares.sum()}`);
console.log(`after a job ${squares.isCheckpointed()}`);
const file = squares.getCheckpointFile()!;
console.log(`under the directory ${file.startsWith(sc.getCheckpointDir()!)}`);
console.log(`parts written ${readdirSync(fileURLToPath(file)).filter((f) => f.startsWith("part-")).length}`);
const before = computed.value;
console.log(`count ${await squares.count()}, max ${await squares.max()}`);
console.log(`read from the checkpoint ${computed.value === before}`);
// A shuffle's output checkpointed, then used by a later shuffle.
const sums = sc.parallelize(Array.from({ length: 60 }, (_, i) => [i % 6, i] as [number, number]), 3).reduceByKey((a, b) => a + b);
sums.checkpoint();
await sums.count();
console.log(`after a shuffle ${JSON.stringify((await sums.mapValues((v) => v * 2).collect()).sort((a, b) => a[0] - b[0]))}`);
// A save is a job too: Spark checkpoints what it computed.
const saved = sc.parallelize(["a", "b"], 2).map((s) => s.toUpperCase());
saved.checkpoint();
await saved.saveAsTextFile(join(process.argv[2]!, "saved"));
console.log(`after a save ${saved.isCheckpointed()}`);
const local = sc.parallelize([1, 2, 3, 4], 2).map((x) => x + 1);
local.localCheckpoint();
console.log(`local ${await local.sum()} ${local.isLocallyCheckpointed()} ${await local.collect()}`);
await sc.stop();

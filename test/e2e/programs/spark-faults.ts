// Workers killed mid-task on Spark (test/e2e/spark-engine.test.ts), where a seed says: in word
// count, a join and a cached program of several jobs, one task's worker process (a reused
// daemon worker) is SIGKILLed in its first run, on the map or the reduce side. Spark retries
// the task; every answer must equal the one computed here in plain code.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SparkContext, TaskContext } from "tspark";

const [markers, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const sc = new SparkContext({ appName: `spark-faults-${seed}` });

/** Kills this worker the first time the named spot runs in partition `partition`. */
function killOnce(spot: string, partition: number): void {
  const marker = join(markers!, `${spot}-${seed}`);
  if (TaskContext.get()!.partitionId() !== partition || existsSync(marker)) return;
  writeFileSync(marker, "");
  process.kill(process.pid, "SIGKILL");
}

const words = Array.from({ length: 4000 }, (_, i) => `w${(i * 7919 + seed) % 97}`);
const expectedCounts = new Map<string, number>();
for (const w of words) expectedCounts.set(w, (expectedCounts.get(w) ?? 0) + 1);
const mapSide = seed % 2 === 0;
const victim = seed % 3;

const counts = await sc.parallelize(words, 4)
  .map((w) => {
    if (mapSide) killOnce("wordcount-map", victim);
    return [w, 1] as [string, number];
  })
  .reduceByKey((a, b) => a + b, 3)
  .mapValues((n) => {
    if (!mapSide) killOnce("wordcount-reduce", victim);
    return n;
  })
  .collect();
console.log(`word count right ${counts.length === expectedCounts.size && counts.every(([w, n]) => expectedCounts.get(w) === n)}`);

const left = Array.from({ length: 600 }, (_, i) => [i % 150, i] as [number, number]);
const right = Array.from({ length: 150 }, (_, k) => [k, `v${k}`] as [number, string]);
const joined = await sc.parallelize(left, 3)
  .map((kv) => {
    if (mapSide) killOnce("join-map", victim);
    return kv;
  })
  .join(sc.parallelize(right, 2), 3)
  .map(([k, [i, v]]) => {
    if (!mapSide) killOnce("join-reduce", victim);
    return `${k}:${i}:${v}`;
  })
  .collect();
const expectedJoin = left.map(([k, i]) => `${k}:${i}:v${k}`).sort();
console.log(`join right ${JSON.stringify(joined.sort()) === JSON.stringify(expectedJoin)}`);

const cached = sc.parallelize(Array.from({ length: 1000 }, (_, i) => i), 4)
  .map((i) => {
    killOnce("cache-fill", victim);
    return i * 2;
  })
  .cache();
const n = await cached.count();
const sum = await cached.map((x) => {
  killOnce("cache-read", (victim + 1) % 4);
  return x;
}).sum();
const evens = await cached.filter((x) => x % 4 === 0).count();
console.log(`cached program right ${n === 1000 && sum === 999_000 && evens === 500}`);
await sc.stop();

// An executor JVM killed during a job (test/e2e/spark-engine.test.ts, on local-cluster): the
// first reduce task to run kills its executor (the worker's parent process), taking that
// executor's shuffle output with it; Spark recomputes it from lineage and the answer is right.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { SparkContext } from "tspark";

const marker = process.argv[2]!;
const sc = new SparkContext({ appName: "spark-executor-lost" });
try {
  const counts = await sc
    .parallelize(Array.from({ length: 20_000 }, (_, i) => i), 4)
    .map((i) => [i % 100, 1] as [number, number])
    .reduceByKey((a, b) => a + b, 4)
    .mapValues((n) => {
      if (!existsSync(marker)) {
        // What is killed: the parent's command line, for the test to check that it is an executor JVM.
        writeFileSync(marker, readFileSync(`/proc/${process.ppid}/cmdline`, "utf8").split("\0").join(" "));
        process.kill(process.ppid, "SIGKILL");
      }
      return n;
    })
    .collect();
  console.log(`keys ${counts.length}, total ${counts.reduce((s, [, n]) => s + n, 0)}, every count ${[...new Set(counts.map(([, n]) => n))].join(",")}`);
} finally {
  await sc.stop();
}

// An executor JVM killed during a job (test/e2e/spark-engine.test.ts, on local-cluster): the
// first reduce task to run kills its executor (the worker's parent, or its daemon's), taking that
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
        // The executor JVM is the worker's parent, or its daemon's (Spark's default).
        const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
        const parentOf = (pid: number) => { const stat = readFileSync(`/proc/${pid}/stat`, "utf8"); return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]); };
        let executor = process.ppid;
        while (executor > 1 && !cmdline(executor).includes("CoarseGrainedExecutorBackend")) executor = parentOf(executor);
        // What is killed: its command line, for the test to check that it is an executor JVM.
        writeFileSync(marker, cmdline(executor));
        process.kill(executor, "SIGKILL");
      }
      return n;
    })
    .collect();
  console.log(`keys ${counts.length}, total ${counts.reduce((s, [, n]) => s + n, 0)}, every count ${[...new Set(counts.map(([, n]) => n))].join(",")}`);
} finally {
  await sc.stop();
}

import { SparkContext } from "tspark";

// A job fails while other tasks of it (or of a concurrent job) still run; after stop() the
// program must exit by itself. If it does not, it says what keeps its event loop alive.
const scenario = process.argv[2];
const sc = new SparkContext({ master: "local[2]", conf: { "tspark.task.maxFailures": "1" } });
console.log(`pids ${sc.workerPids().join(",")}`);
const slow = async (x: number) => new Promise<number>((r) => setTimeout(() => r(x), 300));
const boom = (x: number): number => {
  if (x === 2) throw new Error("boom");
  return x;
};
try {
  if (scenario === "sibling-stage") {
    // Two shuffle map stages of one job run together; one fails at once, the other runs on.
    const good = sc.parallelize([1, 2, 3, 4, 5, 6, 7, 8], 4).map(slow).map((x) => [x % 2, x] as [number, number]).reduceByKey((a, b) => a + b);
    const bad = sc.parallelize([1, 2], 2).map(boom).map((x) => [x % 2, x] as [number, number]).reduceByKey((a, b) => a + b);
    await good.join(bad).collect();
  } else if (scenario === "concurrent-jobs") {
    // The failing action is awaited together with one still running.
    const rs = await Promise.allSettled([sc.parallelize([1, 3, 4, 5, 6, 7], 6).map(slow).collect(), sc.parallelize([1, 2], 2).map(boom).collect()]);
    for (const r of rs) console.log(r.status === "fulfilled" ? `ok ${JSON.stringify(r.value)}` : `rejected`);
    const failed = rs.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  } else throw new Error(`unknown scenario ${scenario}`);
  console.log("no error");
} catch (err) {
  console.log(`failed: ${(err as Error).message.split("\n")[0]}; ${String((err as Error).cause ?? "")}`);
} finally {
  await sc.stop();
  console.log("stopped");
  setTimeout(() => console.log(`still alive: ${process.getActiveResourcesInfo().join(",")}`), 3000).unref();
}

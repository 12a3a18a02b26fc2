/**
 * Runs with `dir` on a tiny file system (the test mounts a 2 MB tmpfs there): a shuffle
 * whose map output does not fit, and a save that does not fit, must fail clearly and leave
 * no partial output; the context stays usable. Prints one JSON line of what it saw.
 */
import { SparkContext } from "tspark";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2]!;
const payload = "y".repeat(200);
const big = (sc: SparkContext) => sc.range(0, 40_000, 1, 2).map((i) => `${i} ${payload}`);
const report: Record<string, unknown> = {};
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

// 1. Shuffle files on the full disk.
{
  const sc = new SparkContext({ master: "local[2]", appName: "disk-full-shuffle", conf: { "tspark.local.dir": join(dir, "local"), "tspark.task.maxFailures": "2" } });
  try {
    await big(sc).map((s) => [s.length % 7, s] as [number, string]).groupByKey().count();
    report.shuffle = "finished";
  } catch (e) {
    report.shuffle = message(e);
  }
  // What the failed attempts left in the application directory: no partial shuffle or spill file.
  report.localFilesAfterFailure = readdirSync(sc.localDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
  report.usableAfterShuffle = await sc.parallelize([1, 2, 3]).map((x) => x * 2).collect();
  await sc.stop();
  report.localDirRemoved = !existsSync(sc.localDir);
}

// 2. Output on the full disk (shuffle files elsewhere).
{
  const sc = new SparkContext({ master: "local[2]", appName: "disk-full-save" });
  const out = join(dir, "out");
  try {
    await big(sc).saveAsTextFile(out);
    report.save = "finished";
  } catch (e) {
    report.save = message(e);
  }
  report.outputExists = existsSync(out);
  report.dirAfterSave = readdirSync(dir).filter((f) => f !== "local");
  report.usableAfterSave = await sc.parallelize(["a"]).count();
  await sc.stop();
}
console.log(JSON.stringify(report));

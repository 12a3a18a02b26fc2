/** Shared by the benchmark programs: fast line reading for baselines, and the result line. */
import { openSync, readSync, closeSync } from "node:fs";

/** Calls `each` for every line of a file, reading 4 MiB chunks (the fastest plain-Node way). */
export function forEachLine(path: string, each: (line: string) => void): void {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  let carry = "";
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = carry + buf.toString("utf8", 0, n);
    const lines = text.split("\n");
    carry = lines.pop()!;
    for (const l of lines) each(l);
  }
  if (carry) each(carry);
  closeSync(fd);
}

/**
 * The one line the runner reads: the workload's result, the peak memory seen, and the job's
 * seconds from `jobStart` (performance.now() once the context is up: on Spark, its JVM start is not the job's).
 */
export function report(result: unknown, workerRssBytes: number[] = [], jobStart?: number): void {
  const jobSeconds = jobStart === undefined ? undefined : (performance.now() - jobStart) / 1000;
  console.log(`RESULT ${JSON.stringify({ result, driverRssBytes: process.resourceUsage().maxRSS * 1024, workerRssBytes, jobSeconds })}`);
}

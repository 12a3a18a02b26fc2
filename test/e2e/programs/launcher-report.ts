// Reports what the launcher's settings did: the effective conf, the driver's and a worker's
// heap limit, the files given with --files as tasks read them, and the driver heap of a
// `tspark --driver-memory 120m` this program starts itself.
import { SparkContext, SparkFiles } from "tspark";
import { getHeapStatistics } from "node:v8";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const sc = new SparkContext();
const want = process.argv.slice(2);
const heapMb = () => Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
const out: Record<string, unknown> = { conf: sc.getConf().toDebugString(), driverHeapMb: heapMb() };
if (want.includes("worker-heap")) out["workerHeapMb"] = (await sc.parallelize([0], 1).map(() => heapMb()).collect())[0];
if (want.includes("files")) out["files"] = await sc.parallelize(["a.txt", "b.txt"], 2).map((f) => readFileSync(SparkFiles.get(f), "utf8")).collect();
if (want.includes("nested")) {
  const cli = fileURLToPath(new URL("../../../dist/cli/main.js", import.meta.url));
  const r = spawnSync(process.execPath, [cli, "--master", "local[1]", "--driver-memory", "120m", fileURLToPath(import.meta.url)], { encoding: "utf8" });
  out["nestedDriverHeapMb"] = (JSON.parse(r.stdout.trim().split("\n").pop()!) as { driverHeapMb: number }).driverHeapMb;
}
console.log(JSON.stringify(out));
await sc.stop();

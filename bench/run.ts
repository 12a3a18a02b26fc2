/**
 * `npm run bench [-- --size MB --runs N --only W1,W5 --out FILE]`: generates the data once
 * (seeded), runs every workload on local[1], local[2] and as a hand-written single-process
 * Node program, checks that all three agree, and writes bench/RESULTS.md (or FILE, relative to the current directory).
 * With --spark, runs bench/vs-pyspark.ts instead: tspark on Apache Spark against PySpark.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, rmSync, statSync, mkdtempSync } from "node:fs";
import { compiledProgram } from "../dist/cli/compiled-program.js";
import { parseArgs } from "node:util";
import os from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { countLines, median } from "./workloads/common.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// `npm run bench -- --spark ...`: tspark on Apache Spark against PySpark (bench/vs-pyspark.ts).
if (process.argv.includes("--spark")) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "vs-pyspark.ts"), ...process.argv.slice(2)], { cwd: ROOT, stdio: "inherit" });
  process.exit(r.status ?? 1);
}
const { values } = parseArgs({ options: { size: { type: "string", default: "200" }, runs: { type: "string", default: "3" }, only: { type: "string" }, out: { type: "string", default: join(ROOT, "bench", "RESULTS.md") } } });
const size = Number(values.size);
const runs = Number(values.runs);
const dataDir = join(ROOT, "bench", "data");

const gen = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "generate.ts"), dataDir, String(size)], { cwd: ROOT, encoding: "utf8" });
if (gen.status !== 0) throw new Error(gen.stderr);
const textPath = join(dataDir, `text-${size}mb.txt`);
const kvPath = join(dataDir, `kv-${size}mb.tsv`);
const dimPath = join(dataDir, "dim.tsv");
const outDir = join(os.tmpdir(), "tspark-bench-out");

/** `functions`: the workload has a .functions.ts program, its own functions in one plain process (the engine's cost per core is local[1] against it). */
interface Workload { id: string; name: string; file: string; args: string[]; input: string[]; conf?: string[]; functions?: boolean }
const workloads: Workload[] = [
  { id: "W1", name: "word count (top words)", file: "w1-wordcount", args: [textPath], input: [textPath], functions: true },
  { id: "W2", name: "sum by key", file: "w2-sumbykey", args: [kvPath], input: [kvPath] },
  { id: "W3", name: "sort by key and write", file: "w3-sort", args: [kvPath, outDir], input: [kvPath] },
  { id: "W4", name: "join with dimension table", file: "w4-join", args: [kvPath, dimPath], input: [kvPath, dimPath], functions: true },
  { id: "W5", name: "parse/filter/count", file: "w5-filter", args: [textPath], input: [textPath], functions: true },
  { id: "W6", name: "groupByKey over 4x worker memory", file: "w6-groupbykey", args: [kvPath], input: [kvPath], conf: ["--conf", `tspark.worker.memory=${Math.max(4, Math.floor(size / 2 / 4))}m`] },
].filter((w) => !values.only || values.only.split(",").includes(w.id));

/** A workload's program for `mode`: its tspark program, or its baseline or functions one. */
function programFile(w: Workload, mode: string): string {
  return join(ROOT, "bench", "workloads", `${w.file}${isPlain(mode) ? `.${mode}` : ""}.ts`);
}

function isPlain(mode: string): boolean {
  return mode === "baseline" || mode === "functions";
}

/**
 * The plain programs run as JavaScript compiled before the runs by the launcher's own
 * compiler (cli/compiled-program.ts), as tspark programs run: under tsx each paid about
 * 0.13 s of loader start-up that the tspark programs do not.
 */
const compiledDir = mkdtempSync(join(os.tmpdir(), "tspark-bench-plain-"));
const compiledPlain = new Map<string, string>();
for (const w of workloads) {
  for (const mode of ["baseline", ...(w.functions ? ["functions"] : [])]) {
    const file = programFile(w, mode);
    const compiled = await compiledProgram(file, compiledDir);
    if (compiled === undefined) throw new Error(`${file}: the launcher's compiler cannot compile it`);
    compiledPlain.set(file, fileURLToPath(compiled.url));
  }
}

interface Run { seconds: number; result: unknown; driverRssBytes: number; workerRssBytes: number[] }
function runOnce(w: Workload, mode: string): Run {
  rmSync(outDir, { recursive: true, force: true });
  const file = programFile(w, mode);
  const argv = isPlain(mode)
    ? [compiledPlain.get(file)!, ...w.args]
    : [join(ROOT, "dist", "cli", "main.js"), "--master", mode, ...(w.conf ?? []), file, ...w.args];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (r.status !== 0 || !line) throw new Error(`${w.id} ${mode} failed:\n${r.stderr}`);
  return { seconds, ...(JSON.parse(line.slice(7)) as Omit<Run, "seconds">) };
}

const mb = (b: number) => (b / 2 ** 20).toFixed(0);
const MODE_NAMES: Record<string, string> = { baseline: "hand-written Node", functions: "its functions, one process" };
const engineCosts: string[] = [];
const rows: string[] = [];
const summary: string[] = [];
for (const w of workloads) {
  const bytes = w.input.reduce((s, p) => s + statSync(p).size, 0);
  const records = w.input.reduce((s, p) => s + countLines(p), 0);
  // Runs alternate between the modes (baseline, local[1], local[2], baseline, ...) so that a
  // machine that slows down or speeds up during the run affects every mode alike.
  const modes = ["baseline", ...(w.functions ? ["functions"] : []), "local[1]", "local[2]"];
  const byMode = new Map<string, Run[]>(modes.map((m) => [m, []]));
  for (let i = 0; i < runs; i++) for (const mode of modes) byMode.get(mode)!.push(runOnce(w, mode));
  const medianOf = (mode: string) => median(byMode.get(mode)!.map((r) => r.seconds));
  const baselineMedian = medianOf("baseline");
  const baselineResult = JSON.stringify(byMode.get("baseline")![0]!.result);
  for (const mode of modes) {
    const rs = byMode.get(mode)!;
    const med = medianOf(mode);
    const min = Math.min(...rs.map((r) => r.seconds));
    for (const r of rs) {
      const result = JSON.stringify(r.result);
      if (result !== baselineResult) throw new Error(`${w.id} on ${mode} disagrees with the baseline: ${result} vs ${baselineResult}`);
    }
    const ratio = baselineMedian / med;
    const workerRss = Math.max(0, ...rs.flatMap((r) => r.workerRssBytes));
    rows.push(`| ${w.id} ${w.name} | ${MODE_NAMES[mode] ?? mode} | ${med.toFixed(2)} | ${min.toFixed(2)} | ${(bytes / 2 ** 20 / med).toFixed(1)} | ${Math.round(records / med).toLocaleString("en-US")} | ${mb(Math.max(...rs.map((r) => r.driverRssBytes)))} | ${workerRss ? mb(workerRss) : "-"} | ${ratio.toFixed(2)}x |`);
    console.error(rows[rows.length - 1]);
    if (mode !== "baseline") summary.push(`${w.id} ${mode}: ${ratio.toFixed(2)}x`);
  }
  if (w.functions) {
    // Run i of each mode ran one after the other: their ratios give the spread.
    const local1 = byMode.get("local[1]")!;
    const pairs = byMode.get("functions")!.map((r, i) => local1[i]!.seconds / r.seconds);
    const line = `${w.id}: local[1] takes ${(medianOf("local[1]") / medianOf("functions")).toFixed(2)}x the time of its own functions in one process (${Math.min(...pairs).toFixed(2)}-${Math.max(...pairs).toFixed(2)} run by run): the engine's cost per core; those functions take ${(medianOf("functions") / baselineMedian).toFixed(2)}x the baseline's time: the program's shape`;
    engineCosts.push(`- ${line}.`);
    summary.push(line);
  }
}
const startups = Array.from({ length: 5 }, () => {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "cli", "main.js"), "--master", "local[2]", join(ROOT, "bench", "startup.ts")], { cwd: ROOT, encoding: "utf8" });
  return (JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("RESULT "))!.slice(7)) as { startupMs: number }).startupMs;
});

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const report = `# Benchmark results

Generated by \`npm run bench -- --size ${size} --runs ${runs}${values.only ? ` --only ${values.only}` : ""}\` on ${new Date().toISOString().slice(0, 10)}.

- Machine: ${os.cpus().length} cores (${cpu}), ${mb(os.totalmem())} MiB memory, ${os.platform()} ${os.release()}
- Node ${process.version}; tspark ${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version}
- Data: text ${mb(statSync(textPath).size)} MiB (${countLines(textPath).toLocaleString("en-US")} lines, Zipf words over a 100k vocabulary), key/value ${mb(statSync(kvPath).size)} MiB (~1M distinct keys), dimension table ${mb(statSync(dimPath).size)} MiB
- Times are wall-clock seconds for the whole program (process start to exit), median and min of ${runs} runs, the modes' runs alternating. The plain programs run as JavaScript compiled beforehand by the launcher's own compiler (esbuild), as tspark programs run. The ratio is the baseline's median time over this mode's: above 1 means faster than the hand-written single-process program. Every run's result is checked against the baseline's.
- Startup, \`new SparkContext()\` to the result of \`sc.parallelize([1, 2, 3]).count()\` on local[2]: median ${median(startups).toFixed(0)} ms (min ${Math.min(...startups).toFixed(0)} ms).

| workload | mode | median s | min s | MB/s | records/s | driver peak RSS MiB | worker peak RSS MiB | vs baseline |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}
${engineCosts.length > 0 ? `
"Its functions, one process" runs the workload's own functions (the same text as its tspark program) over the same lines in one plain Node process, with the rest written as the baseline is: it is not a baseline, it parts what the engine costs from what the program's shape costs.

${engineCosts.join("\n")}
` : ""}`;
writeFileSync(resolve(values.out!), report);
rmSync(outDir, { recursive: true, force: true });
rmSync(compiledDir, { recursive: true, force: true });
console.log(report);
console.log(summary.join("\n"));

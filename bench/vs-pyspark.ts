/**
 * tspark on Apache Spark against PySpark on the same Spark (the pinned 4.x release, installed
 * by scripts/install-spark.sh), on the same data and master: the same six programs in each
 * language (bench/workloads/ and bench/pyspark/), runs alternating, every result checked
 * against PySpark's. tspark's own engine (local[2]) runs alongside for reference.
 *
 *   npm run bench -- --spark [--size 200 --runs 3 --master 'local-cluster[2,1,1024]' --only W1,W2]
 *
 * Each run is timed twice: the whole program (process start to exit, the JVM's start
 * included) and its job (from the context being up to the result, as each program reports it:
 * JVM start-up is the same for both languages, so the job's time is the throughput compared).
 * The runner samples the program's process tree every 200 ms for CPU time and memory, by
 * kind of process: the driver, Spark's JVMs, the workers (Node or Python).
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { testSparks } from "../src/spark/testing/installed-spark.js";
import { median } from "./workloads/common.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    spark: { type: "boolean" },
    runs: { type: "string", default: "3" },
    master: { type: "string", default: "local-cluster[2,1,1024]" },
    size: { type: "string", default: "200" },
    only: { type: "string" },
    out: { type: "string", default: join(ROOT, "bench", "RESULTS-pyspark.md") },
  },
});
const runs = Number(values.runs);
const master = values.master!;
const size = Number(values.size);
const spark = testSparks().find((s) => s.version.startsWith("4."));
if (!spark?.spark) throw new Error("Spark 4.x is not installed (bash scripts/install-spark.sh installs it)");
const sparkHome = spark.spark.home;
// pip's pyspark lives in the virtual environment scripts/install-spark.sh made: its python runs PySpark.
const python = join(sparkHome, "..", "..", "..", "..", "bin", "python");

const dataDir = join(ROOT, "bench", "data");
const gen = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "generate.ts"), dataDir, String(size)], { cwd: ROOT, encoding: "utf8" });
if (gen.status !== 0) throw new Error(gen.stderr);
const text = join(dataDir, `text-${size}mb.txt`);
const kv = join(dataDir, `kv-${size}mb.tsv`);
const dim = join(dataDir, "dim.tsv");
const outDir = join(os.tmpdir(), "tspark-bench-spark-out");
const workerMemory = `${Math.max(4, Math.floor(size / 2 / 4))}m`;

interface Workload {
  id: string;
  name: string;
  input: string[];
  tspark: string;
  pyspark: string;
  /** The program's arguments before the master (PySpark's programs take the master next, then `extra`). */
  args: string[];
  extra?: string[];
  tsparkConf?: string[];
}
const workloads: Workload[] = [
  { id: "W1", name: "word count (top words)", input: [text], tspark: "w1-wordcount.ts", pyspark: "w1_wordcount.py", args: [text] },
  { id: "W2", name: "sum by key", input: [kv], tspark: "w2-sumbykey.ts", pyspark: "w2_sumbykey.py", args: [kv] },
  { id: "W3", name: "sort by key and write", input: [kv], tspark: "w3-sort.ts", pyspark: "w3_sort.py", args: [kv, outDir] },
  { id: "W4", name: "join with dimension table", input: [kv, dim], tspark: "w4-join.ts", pyspark: "w4_join.py", args: [kv, dim] },
  { id: "W5", name: "parse/filter/count", input: [text], tspark: "w5-filter.ts", pyspark: "w5_filter.py", args: [text] },
  // The same memory for a worker's aggregation in both (PySpark's spark.python.worker.memory).
  { id: "W6", name: "groupByKey over 4x worker memory", input: [kv], tspark: "w6-groupbykey.ts", pyspark: "w6_groupbykey.py", args: [kv], extra: [workerMemory], tsparkConf: ["--conf", `tspark.worker.memory=${workerMemory}`] },
].filter((w) => !values.only || values.only.split(",").includes(w.id));

type Mode = "PySpark" | "tspark on Spark" | "tspark's engine";
const MODES: Mode[] = ["PySpark", "tspark on Spark", "tspark's engine"];

function command(w: Workload, mode: Mode): [string, string[]] {
  if (mode === "PySpark") return [python, [join(ROOT, "bench", "pyspark", w.pyspark), ...w.args, master, ...(w.extra ?? [])]];
  const engine = mode === "tspark on Spark" ? ["--master", master, "--conf", "spark.ui.enabled=false"] : ["--master", "local[2]"];
  return [process.execPath, [join(ROOT, "dist", "cli", "main.js"), ...engine, ...(w.tsparkConf ?? []), join(ROOT, "bench", "workloads", w.tspark), ...w.args]];
}

type Kind = "driver" | "JVMs" | "workers";
interface Usage {
  /** CPU seconds by kind of process (the last sample of each process). */
  cpu: Record<Kind, number>;
  /** Peak RSS bytes: of one executor JVM, and of all workers at once. */
  executorRss: number;
  workersRss: number;
}

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

/** The process tree under `root`, each with its CPU ticks, RSS and kind. */
function sampleTree(root: number): Array<{ pid: number; ticks: number; rss: number; kind: Kind; executor: boolean }> {
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command (which may hold spaces), from field 3 on.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(name);
      stats.set(pid, fields);
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      /* gone */
    }
  }
  const out: ReturnType<typeof sampleTree> = [];
  const walk = (pid: number): void => {
    const fields = stats.get(pid);
    if (fields) {
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        /* gone */
      }
      const jvm = /\bjava\b/.test(cmd.split("\0")[0] ?? "") || cmd.includes("org.apache.spark");
      out.push({ pid, ticks: Number(fields[11]) + Number(fields[12]), rss: Number(fields[21]) * PAGE, kind: pid === root ? "driver" : jvm ? "JVMs" : "workers", executor: cmd.includes("CoarseGrainedExecutorBackend") });
    }
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

interface Run {
  seconds: number;
  jobSeconds: number;
  result: string;
  usage: Usage;
}

async function runOnce(w: Workload, mode: Mode): Promise<Run> {
  rmSync(outDir, { recursive: true, force: true });
  const [exe, args] = command(w, mode);
  const started = performance.now();
  const child = spawn(exe, args, { cwd: ROOT, env: { ...process.env, SPARK_HOME: sparkHome, PYSPARK_PYTHON: python }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-5000)));
  const ticks = new Map<number, { ticks: number; kind: Kind }>();
  const usage: Usage = { cpu: { driver: 0, JVMs: 0, workers: 0 }, executorRss: 0, workersRss: 0 };
  const sample = (): void => {
    let workers = 0;
    for (const p of sampleTree(child.pid!)) {
      ticks.set(p.pid, { ticks: p.ticks, kind: p.kind });
      if (p.executor) usage.executorRss = Math.max(usage.executorRss, p.rss);
      if (p.kind === "workers") workers += p.rss;
    }
    usage.workersRss = Math.max(usage.workersRss, workers);
  };
  const timer = setInterval(sample, 200);
  const code = await new Promise<number | null>((done) => child.on("close", done));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  for (const { ticks: t, kind } of ticks.values()) usage.cpu[kind] += t / TICKS;
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (code !== 0 || !line) throw new Error(`${w.id} ${mode}: exit ${code}\n${stderr}`);
  const reported = JSON.parse(line.slice(7)) as { result: unknown; jobSeconds: number };
  return { seconds, jobSeconds: reported.jobSeconds, result: JSON.stringify(reported.result), usage };
}

const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const mib = (b: number) => (b ? (b / 2 ** 20).toFixed(0) : "-");
const rows: string[] = [];
const summary: string[] = [];
for (const w of workloads) {
  const byMode = new Map<Mode, Run[]>(MODES.map((m) => [m, []]));
  let expected: string | undefined;
  for (let i = 0; i < runs; i++) {
    // Alternating, each round in another order, so a drifting machine affects every mode alike.
    for (const mode of i % 2 === 0 ? MODES : [...MODES].reverse()) {
      const r = await runOnce(w, mode);
      expected ??= r.result;
      if (r.result !== expected) throw new Error(`${w.id}, ${mode}: result ${r.result} differs from ${expected}`);
      byMode.get(mode)!.push(r);
      process.stderr.write(`${w.id} ${mode}: job ${r.jobSeconds.toFixed(2)} s, whole ${r.seconds.toFixed(2)} s\n`);
    }
  }
  const py = byMode.get("PySpark")!;
  const pyJob = median(py.map((r) => r.jobSeconds));
  const pyWhole = median(py.map((r) => r.seconds));
  for (const mode of MODES) {
    const rs = byMode.get(mode)!;
    const job = median(rs.map((r) => r.jobSeconds));
    const whole = median(rs.map((r) => r.seconds));
    const cpu = (k: Kind) => median(rs.map((r) => r.usage.cpu[k])).toFixed(1);
    rows.push(`| ${w.id} ${w.name} | ${mode} | ${job.toFixed(2)} (${spread(rs.map((r) => r.jobSeconds))}) | ${(pyJob / job).toFixed(2)}x | ${whole.toFixed(2)} (${spread(rs.map((r) => r.seconds))}) | ${(pyWhole / whole).toFixed(2)}x | ${cpu("driver")} / ${cpu("JVMs")} / ${cpu("workers")} | ${mib(Math.max(...rs.map((r) => r.usage.executorRss)))} | ${mib(Math.max(...rs.map((r) => r.usage.workersRss)))} |`);
    if (mode === "tspark on Spark") summary.push(`${w.id}: job ${(pyJob / job).toFixed(2)}x, whole program ${(pyWhole / whole).toFixed(2)}x`);
  }
}

const mb = (p: string) => (statSync(p).size / 2 ** 20).toFixed(0);
const report = `# tspark on Spark against PySpark on Spark

Generated by \`npm run bench -- --spark --size ${size} --runs ${runs} --master '${master}'${values.only ? ` --only ${values.only}` : ""}\` on ${new Date().toISOString().slice(0, 10)}.

- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 20)} MiB memory; Node ${process.version}; Spark ${spark.version} from PyPI (its Python for PySpark).
- Data: text ${mb(text)} MiB, key/value ${mb(kv)} MiB, dimension table ${mb(dim)} MiB (bench/generate.ts, seeded).
- The same program in each language (\`bench/pyspark/\`, \`bench/workloads/\`), on the same Spark and master (\`${master}\`, Spark's UI off, Spark's defaults otherwise: PySpark's and tspark's worker daemons, worker reuse); tspark's own engine on \`local[2]\` for reference. ${runs} runs per mode, alternating; every result checked against PySpark's.
- **job s**: from the context being up to the result, as each program measures it (JVM start-up is the same for both languages); **whole s**: process start to exit. Medians, with the spread (min–max) of the runs. The ratios are PySpark's median over the mode's: above 1 is faster than PySpark.
- **CPU s**: CPU seconds of the driver process, of Spark's JVMs (driver JVM, executors, and local-cluster's master and worker, start-up included) and of the workers (Node or Python), sampled every 200 ms. **Executor RSS**: the peak of one executor JVM; **workers RSS**: the peak of all workers at once.

| workload | mode | job s | job vs PySpark | whole s | whole vs PySpark | CPU s driver / JVMs / workers | executor RSS MiB | workers RSS MiB |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
writeFileSync(resolve(values.out!), report);
rmSync(outDir, { recursive: true, force: true });
console.log(report);
console.log(summary.join("\n"));

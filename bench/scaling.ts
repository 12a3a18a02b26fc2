/**
 * `node --import tsx bench/scaling.ts [--runs N] [--only A,B,C,D,E] [--data DIR] [--out FILE]`: the per-task
 * and per-block costs that bench/SCALING.md's model of local[16] and local[64] is built on.
 * This program is the driver of a local[2] context, so process.cpuUsage() is the driver's CPU;
 * workers' CPU comes from /proc. CPU time, not wall time: the machine may be shared.
 *
 *   A  driver CPU per narrow task (jobs of 200, 1000 and 4000 one-record tasks)
 *   B  driver CPU per map and per reduce task, and worker CPU and bytes per shuffle block, as
 *      map tasks (M) and reduce partitions (R) grow: every map output has a one-record block
 *      for every reduce partition, so a job has M x R blocks
 *   C  the same per-block costs on W2's data (a 25 MB prefix of the key/value file) with 8, 64
 *      and 512 reduce partitions
 *   D  closure shipping: a map capturing a number against one capturing 1 MB
 *   E  W2 at 100 MB as the bench runs it, local[1] against local[2]
 *   F  a reduce stage's segments at M = R = 3200 (synthetic map statuses, in this process):
 *      all of them planned before the stage starts, against one task's made as it launches
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SparkContext } from "tspark";
import { runtimeOf } from "../dist/driver/runtime-registry.js";
import { captureClosure } from "../dist/closure/capture.js";
import { MapOutputTracker } from "../dist/scheduler/map-output-tracker.js";
import type { PartitionPlan } from "../dist/scheduler/plan.js";
import { measure, spread, taskMessageBytes, type JobCost } from "./scaling-probes.js";
import { countLines, median } from "./workloads/common.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, only: { type: "string", default: "A,B,C,D,E,F" }, data: { type: "string", default: join(ROOT, "bench", "data") }, out: { type: "string" } } });
// W2's key/value file as `npm run bench` generates it (its default size: 100 MB of key/value lines).
const KV = join(values.data, "kv-200mb.tsv");
const RUNS = Number(values.runs);
const only = new Set(values.only.split(","));

const report: string[] = [];
function out(line = ""): void {
  console.log(line);
  report.push(line);
}

const add = (a: number, b: number) => a + b;
const us = (ms: number, n: number) => (ms * 1000) / n;

/** The stage of the last job that wrote shuffle output (its metrics). */
function lastShuffleWriteBytes(sc: SparkContext): number {
  const stages = [...runtimeOf(sc).tasks.stages.values()].filter((s) => s.metrics.shuffleWriteBytes > 0);
  return stages.at(-1)?.metrics.shuffleWriteBytes ?? 0;
}

/** A: each run, jobs of P one-record tasks; the driver's µs per task is the slope between the smallest and largest P. */
async function narrowTasks(sc: SparkContext, label: string): Promise<void> {
  const sizes = [200, 1000, 4000];
  const costs = new Map<number, JobCost[]>(sizes.map((p) => [p, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const p of sizes) costs.get(p)!.push(await measure(sc, () => sc.parallelize(Array.from({ length: p }, (_, i) => i), p).count()));
  }
  out(`\n### A. Narrow tasks (${label})\n\n| tasks | driver CPU ms | driver µs/task | worker CPU µs/task | wall µs/task |\n| --- | --- | --- | --- | --- |`);
  for (const p of sizes) {
    const c = costs.get(p)!;
    out(`| ${p} | ${spread(c.map((x) => x.driverMs))} | ${spread(c.map((x) => us(x.driverMs, p)))} | ${spread(c.map((x) => us(x.workerMs, p)))} | ${spread(c.map((x) => us(x.wallMs, p)))} |`);
  }
  const [lo, hi] = [sizes[0]!, sizes.at(-1)!];
  const slope = costs.get(hi)!.map((c, r) => us(c.driverMs - costs.get(lo)![r]!.driverMs, hi - lo));
  out(`\nDriver CPU per task, slope ${lo} -> ${hi} tasks (the job's fixed cost subtracted): ${spread(slope)} µs`);
}

/** B: one (M, R) point: the map stage's cost is the first job's less the second's (which reuses the map outputs). */
async function shufflePoint(sc: SparkContext, m: number, r: number) {
  const sums = sc.range(0, m * r, 1, m).map((x) => [x % r, 1] as [number, number]).reduceByKey(add, r);
  const both = await measure(sc, () => sums.count());
  const bytes = lastShuffleWriteBytes(sc);
  const reduce = await measure(sc, () => sums.count());
  return { both, reduce, bytes };
}

async function shuffleGrid(sc: SparkContext): Promise<void> {
  const points: Array<[number, number]> = [[100, 64], [400, 64], [1600, 64], [400, 16], [400, 512]];
  const results = new Map<string, Array<Awaited<ReturnType<typeof shufflePoint>>>>(points.map(([m, r]) => [`${m}x${r}`, []]));
  for (let run = 0; run < RUNS; run++) for (const [m, r] of points) results.get(`${m}x${r}`)!.push(await shufflePoint(sc, m, r));
  out(`\n### B. Shuffle tasks and blocks (one-record blocks; M map tasks, R reduce partitions)\n`);
  out(`| M | R | blocks | driver µs per map task | driver µs per reduce task | reduce task message bytes | worker µs per block, map side | worker µs per block, reduce side | shuffle bytes per block |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
  const perReduceTask = new Map<string, number[]>();
  const perMapTask = new Map<string, number[]>();
  for (const [m, r] of points) {
    const res = results.get(`${m}x${r}`)!;
    const blocks = m * r;
    const mapTask = res.map((x) => us(x.both.driverMs - x.reduce.driverMs, m));
    const reduceTask = res.map((x) => us(x.reduce.driverMs, r));
    perMapTask.set(`${m}x${r}`, mapTask);
    perReduceTask.set(`${m}x${r}`, reduceTask);
    const sums = sc.range(0, m * r, 1, m).map((x) => [x % r, 1] as [number, number]).reduceByKey(add, r);
    await sums.count();
    const msg = median(await taskMessageBytes(() => sums.count()));
    out(`| ${m} | ${r} | ${blocks} | ${spread(mapTask)} | ${spread(reduceTask)} | ${msg} | ${spread(res.map((x) => us(x.both.workerMs - x.reduce.workerMs, blocks)), 1)} | ${spread(res.map((x) => us(x.reduce.workerMs, blocks)), 1)} | ${spread(res.map((x) => x.bytes / blocks), 1)} |`);
  }
  // A reduce task's driver cost as a function of M (at R = 64), a map task's as a function of R (at M = 400).
  const slope = (a: number[], b: number[], d: number) => a.map((x, i) => (b[i]! - x) / d);
  out(`\nDriver µs per reduce task per map output (slope M 100 -> 1600, R 64): ${spread(slope(perReduceTask.get("100x64")!, perReduceTask.get("1600x64")!, 1500), 2)}`);
  out(`Driver µs per map task per reduce partition (slope R 16 -> 512, M 400): ${spread(slope(perMapTask.get("400x16")!, perMapTask.get("400x512")!, 496), 2)}`);
}

/** C: a prefix of W2's key/value file (whole lines), written to a temporary directory. */
function kvPrefix(dir: string, bytes: number): string {
  const fd = openSync(KV, "r");
  const buf = Buffer.allocUnsafe(bytes);
  const n = readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  const path = join(dir, "kv-prefix.tsv");
  writeFileSync(path, buf.subarray(0, buf.lastIndexOf(10, n - 1) + 1));
  return path;
}

async function w2Blocks(sc: SparkContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tspark-scaling-"));
  try {
    const path = kvPrefix(dir, 25 * 1024 * 1024);
    const maps = 4;
    const rs = [8, 64, 512];
    const res = new Map<number, Array<{ map: number; reduce: number; bytes: number; driverMs: number }>>(rs.map((r) => [r, []]));
    for (let run = 0; run < RUNS; run++) {
      for (const r of rs) {
        const sums = sc.textFile(path, maps).map((l) => {
          const t = l.indexOf("\t");
          return [l.slice(0, t), Number(l.slice(t + 1))] as [string, number];
        }).reduceByKey(add, r);
        const both = await measure(sc, () => sums.count());
        const bytes = lastShuffleWriteBytes(sc);
        const reduce = await measure(sc, () => sums.count());
        res.get(r)!.push({ map: both.workerMs - reduce.workerMs, reduce: reduce.workerMs, bytes, driverMs: both.driverMs });
      }
    }
    out(`\n### C. W2's sum by key on a 25 MB prefix of its data, ${maps} map tasks\n\n| R | blocks | worker CPU ms, map side | worker CPU ms, reduce side | shuffle MB | driver CPU ms (job) |\n| --- | --- | --- | --- | --- | --- |`);
    for (const r of rs) {
      const x = res.get(r)!;
      out(`| ${r} | ${maps * r} | ${spread(x.map((y) => y.map))} | ${spread(x.map((y) => y.reduce))} | ${spread(x.map((y) => y.bytes / 2 ** 20), 2)} | ${spread(x.map((y) => y.driverMs))} |`);
    }
    const [lo, hi] = [rs[0]!, rs.at(-1)!];
    const dBlocks = maps * (hi - lo);
    const per = (f: (y: { map: number; reduce: number; bytes: number }) => number, scale: number) => res.get(hi)!.map((y, i) => ((f(y) - f(res.get(lo)![i]!)) * scale) / dBlocks);
    out(`\nMarginal cost of a block (R ${lo} -> ${hi}): map side ${spread(per((y) => y.map, 1000), 1)} µs, reduce side ${spread(per((y) => y.reduce, 1000), 1)} µs, ${spread(per((y) => y.bytes, 1))} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * D: the same 1000-task job with a closure capturing a number and one capturing 1 MB. Each
 * job first changes the captured value, so its closure's bytes (and id) are new and every
 * worker is sent them, as in an iterative program whose captured state changes every job.
 */
async function closures(sc: SparkContext): Promise<void> {
  const small = [7];
  const table = new Uint8Array(1 << 20).fill(7);
  const words = Array.from({ length: 1 << 16 }, (_, i) => `w${i}`);
  const cases: Array<[string, (x: number) => number, (run: number) => void]> = [
    ["a number", (x) => x + small[0]!, (run) => (small[0] = run)],
    ["a 1 MB Uint8Array", (x) => x + table[x & 1023]!, (run) => (table[0] = run)],
    [`an array of ${words.length} strings`, (x) => x + words[x & 1023]!.length, (run) => (words[0] = `r${run}`)],
  ];
  const tasks = 1000;
  out(`\n### D. Closure shipping (${tasks}-task jobs, map then count; the captured value changed before each job)\n\n| captures | closure bytes | capture CPU ms | driver CPU ms per job | driver µs/task | task message bytes: total / largest / median |\n| --- | --- | --- | --- | --- | --- |`);
  let version = 0;
  for (const [what, fn, change] of cases) {
    const captures: number[] = [];
    let bytes = 0;
    for (let r = 0; r < RUNS; r++) {
      change(++version);
      const t0 = process.cpuUsage();
      bytes = captureClosure(fn).bytes.length;
      const c = process.cpuUsage(t0);
      captures.push((c.user + c.system) / 1000);
    }
    const job = () => {
      change(++version);
      return sc.range(0, tasks, 1, tasks).map(fn).count();
    };
    const costs: JobCost[] = [];
    for (let r = 0; r < RUNS; r++) costs.push(await measure(sc, job));
    const sizes = await taskMessageBytes(job);
    out(`| ${what} | ${bytes} | ${spread(captures, 1)} | ${spread(costs.map((c) => c.driverMs))} | ${spread(costs.map((c) => us(c.driverMs, tasks)))} | ${sizes.reduce(add, 0)} / ${Math.max(...sizes)} / ${median(sizes)} |`);
  }
}

/** E: the bench's own W2 program, whole, under /usr/bin/time (CPU of the driver and its workers). */
function w2Runs(): void {
  const lines = countLines(KV);
  const rows: Record<string, Array<{ job: number; cpu: number; rss: number }>> = { "local[1]": [], "local[2]": [] };
  for (let r = 0; r < Math.min(RUNS, 2); r++) {
    for (const master of Object.keys(rows)) {
      const p = spawnSync("/usr/bin/time", ["-f", "TIME %U %S", process.execPath, join(ROOT, "dist", "cli", "main.js"), "--master", master, join(ROOT, "bench", "workloads", "w2-sumbykey.ts"), KV], { cwd: ROOT, encoding: "utf8" });
      const result = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
      const time = p.stderr.split("\n").find((l) => l.startsWith("TIME "));
      if (p.status !== 0 || !result || !time) throw new Error(`W2 on ${master} failed: ${p.stderr.slice(-2000)}`);
      const { jobSeconds, workerRssBytes } = JSON.parse(result.slice(7)) as { jobSeconds: number; workerRssBytes: number[] };
      const [, user, sys] = time.split(" ").map(Number);
      rows[master]!.push({ job: jobSeconds, cpu: user! + sys!, rss: Math.max(...workerRssBytes) / 2 ** 20 });
    }
  }
  out(`\n### E. W2 sum by key, 100 MB (${lines} lines), whole program (\`tspark --master ...\`)\n\n| master | job s | CPU s (driver + workers, start-up included) | CPU µs per line | lines/s per worker (job) | peak worker RSS MB |\n| --- | --- | --- | --- | --- | --- |`);
  for (const [master, x] of Object.entries(rows)) {
    const n = master === "local[1]" ? 1 : 2;
    out(`| ${master} | ${spread(x.map((y) => y.job), 2)} | ${spread(x.map((y) => y.cpu), 2)} | ${spread(x.map((y) => us(y.cpu * 1000, lines)), 2)} | ${spread(x.map((y) => lines / y.job / n))} | ${spread(x.map((y) => y.rss))} |`);
  }
}

/**
 * F: the driver's side of a reduce stage of R tasks over M map outputs. Planned before the
 * stage starts (as tspark did until segments were made at launch), every task's segments are
 * built first and held until the stage ends; made at launch, a task's are built as it starts.
 * The statuses are synthetic (every segment non-empty); the heap is measured after full GCs.
 */
function launchSegments(): void {
  const M = 3200;
  const R = 3200;
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const upfrontMs: number[] = [];
  const upfrontMb: number[] = [];
  const launchUs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const tracker = new MapOutputTracker();
    const statuses = Array.from({ length: M }, (_, m) => ({ mapId: m, dataPath: `/tmp/shuffle-0/map-${m}-0.data`, indexPath: `/tmp/shuffle-0/map-${m}-0.index`, segmentBytes: new Array<number>(R).fill(100), spills: 0, spillBytes: 0 }));
    tracker.register(0, statuses, M);
    tracker.segments(0, 0); // each status's layout, cached: both ways pay it once
    const before = heap();
    let t0 = performance.now();
    const planned = Array.from({ length: R }, (_, p) => tracker.segments(0, p));
    upfrontMs.push(performance.now() - t0);
    upfrontMb.push((heap() - before) / 2 ** 20);
    planned.length = 0;
    const SAMPLE = 200;
    t0 = performance.now();
    for (let p = 0; p < SAMPLE; p++) tracker.withSegments({ kind: "shuffle-read", shuffleId: 0, partition: p } satisfies PartitionPlan);
    launchUs.push(((performance.now() - t0) * 1000) / SAMPLE);
  }
  out(`\n### F. A reduce stage's segments, M = R = ${M} (synthetic statuses, in one process)\n`);
  out(`| | driver time | driver heap held |\n| --- | --- | --- |`);
  out(`| all ${R} tasks' segments, planned before the stage starts | ${spread(upfrontMs)} ms before the first task | ${spread(upfrontMb)} MB until the stage ends |`);
  out(`| one task's, made as it launches | ${spread(launchUs)} µs per task | one task's while it is sent |`);
}

/** A local[2] context for the in-process measurements. */
async function context(conf: Record<string, string> = {}): Promise<SparkContext> {
  const sc = new SparkContext({ master: "local[2]", appName: "scaling", conf: { "tspark.ui.showConsoleProgress": "false", ...conf } });
  // A first job starts the workers; a thousand-task one warms up the JIT of both sides.
  await sc.range(0, 100, 1, 4).map((x) => [x % 2, x] as [number, number]).reduceByKey(add, 2).count();
  await sc.range(0, 1000, 1, 1000).map((x) => x + 1).count();
  return sc;
}

out(`## Measurements (bench/scaling.ts, ${new Date().toISOString().slice(0, 16)}Z, ${RUNS} runs, medians (min-max))`);
const sc = await context();
try {
  if (only.has("A")) await narrowTasks(sc, "web UI on, the default");
  if (only.has("B")) await shuffleGrid(sc);
  if (only.has("C")) await w2Blocks(sc);
  if (only.has("D")) await closures(sc);
} finally {
  await sc.stop();
}
if (only.has("A")) {
  const quiet = await context({ "tspark.ui.enabled": "false" });
  try {
    await narrowTasks(quiet, "tspark.ui.enabled=false");
  } finally {
    await quiet.stop();
  }
}
if (only.has("E")) w2Runs();
if (only.has("F")) launchSegments();
if (values.out) writeFileSync(values.out, report.join("\n") + "\n");

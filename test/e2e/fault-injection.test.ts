/**
 * Fault injection: each workload runs many times while worker processes are killed
 * (SIGKILL) or stopped (SIGSTOP: found by the missing heartbeat) in the middle of tasks, and
 * while bits of shuffle files flip between actions; every run must produce exactly the
 * fault-free result. Afterwards no worker process or temporary directory may remain.
 *
 * Kills are deterministic in number: every stage of every workload passes its records
 * through `gate`, which (after the partition's first record, so mid-task) announces the
 * task attempt in a control directory and waits for the driver's word. The driver-side
 * killer answers each announcement either "go" or with SIGKILL to the announcing worker,
 * at task ordinals drawn from a seeded generator. A killed task is therefore always
 * running when it dies, in whichever stage (map side, reduce side, cached reads) the
 * ordinal falls.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SparkContext, type RDD } from "../../dist/index.js";

const RUNS = 20;
// A short heartbeat timeout: a stopped worker is found in 1.5 s, not the default 30 s.
const sc = new SparkContext({ master: "local[2]", appName: "fault-injection", conf: { "tspark.task.maxFailures": "8", "tspark.locality.wait": "200", "tspark.worker.timeout": "1500" } });
const allPids = new Set<number>();
const localDir = sc.localDir;
let kills = 0;
let plannedKills = 0;
let stops = 0;

after(async () => {
  await sc.stop();
  await new Promise((r) => setTimeout(r, 300));
  const alive = [...allPids].filter((p) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  });
  assert.deepEqual(alive, [], "no worker process left");
  assert.equal(existsSync(localDir), false, "no temporary directory left");
});

// A seeded generator: the kill schedule is reproducible.
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

/**
 * Runs in tasks: passes records through; after the first one, announces this attempt in
 * `ctl` (a file named pid-sequence) and waits until the driver writes its `.go` twin, or
 * kills the worker. Once the run's kills are done the driver writes `all-go` and later
 * attempts pass at once. `ctl` empty: a plain pass-through.
 */
function* gate<T>(it: Iterable<T>, ctl: string): Generator<T> {
  let first = true;
  for (const x of it) {
    if (first && ctl !== "") {
      first = false;
      // pid and a per-process sequence number name the attempt. (Not TaskContext: importing
      // tspark's index into every replacement worker would double the cost of each kill.)
      const g = globalThis as { faultInjectionSeq?: number };
      g.faultInjectionSeq = (g.faultInjectionSeq ?? 0) + 1;
      const name = `${process.pid}-${g.faultInjectionSeq}`;
      if (!existsSync(join(ctl, "all-go"))) {
        writeFileSync(join(ctl, name), "");
        const cell = new Int32Array(new SharedArrayBuffer(4));
        const deadline = Date.now() + 20_000;
        while (!existsSync(join(ctl, `${name}.go`)) && !existsSync(join(ctl, "all-go"))) {
          if (Date.now() > deadline) throw new Error(`fault-injection gate: no answer for ${name}`);
          Atomics.wait(cell, 0, 0, 0.25);
        }
      }
    }
    yield x;
  }
}

/**
 * The driver side of the gates while `job(ctl)` runs: answers every announced task attempt,
 * killing the workers of those at the chosen ordinals. Returns the job's result and how many
 * task attempts announced themselves.
 */
async function underFire<T>(job: (ctl: string) => Promise<T>, killAt: Set<number>, signal: "SIGKILL" | "SIGSTOP" = "SIGKILL"): Promise<{ result: T; announced: number }> {
  const ctl = join(tmpdir(), `tspark-fi-ctl-${process.pid}`);
  rmSync(ctl, { recursive: true, force: true });
  mkdirSync(ctl);
  const seen = new Set<string>();
  let done = false;
  const answer = () => {
    if (done) return;
    for (const name of readdirSync(ctl).sort()) {
      if (name.endsWith(".go") || name === "all-go" || seen.has(name)) continue;
      const ordinal = seen.size;
      seen.add(name);
      const pid = Number(name.split("-")[0]);
      allPids.add(pid);
      if (killAt.has(ordinal)) {
        // The attempt is blocked in gate(), so the kill lands in a running task. A stopped
        // worker sends no heartbeat: the driver kills it after tspark.worker.timeout.
        process.kill(pid, signal);
        if (signal === "SIGKILL") kills++;
        else stops++;
        if (++landed === killAt.size) writeFileSync(join(ctl, "all-go"), "");
      } else writeFileSync(join(ctl, `${name}.go`), "");
    }
  };
  let landed = 0;
  // Answer as soon as an attempt announces itself (inotify), polling as a fallback.
  const watcher = watch(ctl, answer);
  const killer = (async () => {
    while (!done) {
      answer();
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    return { result: await job(ctl), announced: seen.size };
  } finally {
    done = true;
    watcher.close();
    await killer;
    rmSync(ctl, { recursive: true, force: true });
    sc.workerPids().forEach((p) => allPids.add(p));
  }
}

/** Runs of the SIGSTOP faults: each costs tspark.worker.timeout. */
const STOP_RUNS = 5;

/** As check's runs, stopping (SIGSTOP) one gated task's worker per run instead of killing it. */
async function checkStopped<T>(name: string, job: (ctl: string) => Promise<T>): Promise<void> {
  const expected = await job("");
  const { announced } = await underFire(job, new Set());
  for (let i = 0; i < STOP_RUNS; i++) {
    const at = Math.floor(rand() * announced);
    const before = stops;
    const run = await underFire(job, new Set([at]), "SIGSTOP");
    assert.deepEqual(run.result, expected, `${name}, run ${i} (stopped at task attempt ${at})`);
    assert.equal(stops - before, 1, `${name}, run ${i}: the stop landed in a running task`);
  }
}

const text = Array.from({ length: 3000 }, (_, i) => `w${i % 97} w${(i * 7) % 31} w${i % 5}`);
const words = (ctl: string) =>
  sc.parallelize(text, 6).mapPartitions((it) => gate(it, ctl)).flatMap((l) => l.split(" ")).map((w) => [w, 1] as [string, number])
    .reduceByKey((a, b) => a + b, 4).mapPartitions((it) => gate(it, ctl), true);
const wordCount = (ctl: string) => words(ctl).collect().then((xs) => xs.sort());
const sortJob = (ctl: string) =>
  sc.parallelize(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000), 6).mapPartitions((it) => gate(it, ctl))
    .sortBy((x) => x, true, 4).mapPartitions((it) => gate(it, ctl)).collect();
const joinJob = (ctl: string) => {
  const left = sc.parallelize(Array.from({ length: 2000 }, (_, i) => [i % 300, i] as [number, number]), 5).mapPartitions((it) => gate(it, ctl));
  const right = sc.parallelize(Array.from({ length: 300 }, (_, i) => [i, `n${i}`] as [number, string]), 3).mapPartitions((it) => gate(it, ctl));
  return left.join(right, 4).mapPartitions((it) => gate(it, ctl)).map(([k, [v, n]]) => `${k}:${v}:${n}`).collect().then((xs) => xs.sort());
};
/** Three jobs over one cached RDD; the later two read the cache through a gate of their own. */
const cachedProgram = async (ctl: string) => {
  const cached: RDD<[string, number]> = words(ctl).cache();
  const total = await cached.mapPartitions((it) => gate(it, ctl)).values().sum();
  const top = await cached.mapPartitions((it) => gate(it, ctl)).takeOrdered(3, ([w, n]) => [-n, w]);
  const distinct = await cached.mapPartitions((it) => gate(it, ctl)).count();
  cached.unpersist();
  return { total, top, distinct };
};

/**
 * The fault-free run gives the expected result and the number of gated task attempts; each
 * of RUNS runs then kills one of them (every fifth run two, so a retry can be killed too),
 * at ordinals below that number (a run with faults only adds attempts, so every chosen
 * ordinal is reached while the job runs). Each kill costs a worker start, so the count is
 * kept to what the suite's time allows.
 */
async function check<T>(name: string, job: (ctl: string) => Promise<T>): Promise<void> {
  const expected = await job("");
  const { result, announced } = await underFire(job, new Set());
  assert.deepEqual(result, expected, `${name}, gated without kills`);
  assert.ok(announced >= 4, `${name}: ${announced} gated task attempts`);
  for (let i = 0; i < RUNS; i++) {
    const killAt = new Set<number>();
    const planned = i % 5 === 4 ? 2 : 1;
    while (killAt.size < planned) killAt.add(Math.floor(rand() * announced));
    plannedKills += planned;
    const before = kills;
    const run = await underFire(job, killAt);
    assert.deepEqual(run.result, expected, `${name}, run ${i} (killed at task attempts ${[...killAt].join(", ")})`);
    assert.equal(kills - before, planned, `${name}, run ${i}: every planned kill landed in a running task`);
  }
}

test("word count survives killed workers", async () => {
  await check("wordcount", wordCount);
});

test("sort survives killed workers", async () => {
  await check("sort", sortJob);
});

test("join survives killed workers", async () => {
  await check("join", joinJob);
});

test("a cached multi-job program survives killed workers", async () => {
  await check("cached", cachedProgram);
});

test("word count and a join survive workers stopped mid-task (SIGSTOP): found by their silence, killed, their tasks retried", async () => {
  await checkStopped("wordcount", wordCount);
  await checkStopped("join", joinJob);
  assert.equal(stops, 2 * STOP_RUNS);
});

/** Flips one bit at a random byte of the file (its frames' lengths and checksums included). */
function flipRandomBit(path: string): number {
  const bytes = readFileSync(path);
  const at = Math.floor(rand() * bytes.length);
  bytes[at]! ^= 1 << Math.floor(rand() * 8);
  writeFileSync(path, bytes);
  return at;
}

test("a bit flipped anywhere in a shuffle output between two actions: the second answer is the first", async () => {
  for (let i = 0; i < RUNS; i++) {
    const counts = sc.parallelize(text, 4).flatMap((l) => l.split(" ")).map((w) => [w, i] as [string, number]).reduceByKey((a, b) => a + b, 3);
    const first = (await counts.collect()).sort();
    const shuffleDir = readdirSync(localDir).filter((d) => d.startsWith("shuffle-")).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8))).at(-1)!;
    const dataFiles = readdirSync(join(localDir, shuffleDir)).filter((f) => f.endsWith(".data")).sort();
    const file = dataFiles[Math.floor(rand() * dataFiles.length)]!;
    const at = flipRandomBit(join(localDir, shuffleDir, file));
    assert.deepEqual((await counts.collect()).sort(), first, `run ${i}: ${file}, byte ${at}`);
  }
});

test("workers were really killed, and replaced", () => {
  assert.equal(kills, plannedKills);
  assert.equal(kills, RUNS * 4 + (RUNS / 5) * 4, `${kills} kills`);
  assert.equal(sc.workerPids().length, 2);
  console.log(`# ${kills} workers killed inside running tasks during ${RUNS * 4} runs`);
});

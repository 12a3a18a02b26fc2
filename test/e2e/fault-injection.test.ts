/**
 * Fault injection: each workload runs many times while worker processes are killed
 * (SIGKILL) in the middle of tasks; every run must produce exactly the fault-free result.
 * Afterwards no worker process or temporary directory may remain.
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
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SparkContext, type RDD } from "../../dist/index.js";

const RUNS = 20;
const sc = new SparkContext({ master: "local[2]", appName: "fault-injection", conf: { "tspark.task.maxFailures": "8", "tspark.locality.wait": "200" } });
const allPids = new Set<number>();
const localDir = sc.localDir;
let kills = 0;
let plannedKills = 0;

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
 * `ctl` (a file named pid-sequence) and waits until the driver writes its
 * `.go` twin, or kills the worker. `ctl` empty: a plain pass-through.
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
      writeFileSync(join(ctl, name), "");
      const cell = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 20_000;
      while (!existsSync(join(ctl, `${name}.go`))) {
        if (Date.now() > deadline) throw new Error(`fault-injection gate: no answer for ${name}`);
        Atomics.wait(cell, 0, 0, 1);
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
async function underFire<T>(job: (ctl: string) => Promise<T>, killAt: Set<number>): Promise<{ result: T; announced: number }> {
  const ctl = join(tmpdir(), `tspark-fi-ctl-${process.pid}`);
  rmSync(ctl, { recursive: true, force: true });
  mkdirSync(ctl);
  const seen = new Set<string>();
  let done = false;
  const answer = () => {
    for (const name of readdirSync(ctl).sort()) {
      if (name.endsWith(".go") || seen.has(name)) continue;
      const ordinal = seen.size;
      seen.add(name);
      const pid = Number(name.split("-")[0]);
      allPids.add(pid);
      if (killAt.has(ordinal)) {
        // The attempt is blocked in gate(), so the kill lands in a running task.
        process.kill(pid, "SIGKILL");
        kills++;
      } else writeFileSync(join(ctl, `${name}.go`), "");
    }
  };
  const killer = (async () => {
    while (!done) {
      answer();
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  try {
    return { result: await job(ctl), announced: seen.size };
  } finally {
    done = true;
    await killer;
    rmSync(ctl, { recursive: true, force: true });
    sc.workerPids().forEach((p) => allPids.add(p));
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

test("workers were really killed, and replaced", () => {
  assert.equal(kills, plannedKills);
  assert.equal(kills, RUNS * 4 + (RUNS / 5) * 4, `${kills} kills`);
  assert.equal(sc.workerPids().length, 2);
  console.log(`# ${kills} workers killed inside running tasks during ${RUNS * 4} runs`);
});

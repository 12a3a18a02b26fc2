/**
 * Fault injection: each workload runs many times while worker processes are killed
 * (SIGKILL) at random moments; every run must produce exactly the fault-free result.
 * Afterwards no worker process or temporary directory may remain.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { SparkContext, type RDD } from "../../dist/index.js";

const RUNS = 20;
const sc = new SparkContext({ master: "local[2]", appName: "fault-injection", conf: { "tspark.task.maxFailures": "8", "tspark.locality.wait": "200" } });
const allPids = new Set<number>();
const localDir = sc.localDir;
let kills = 0;

after(async () => {
  assert.ok(kills >= RUNS * 2, `workers were killed while jobs ran (${kills} kills)`);
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

// A seeded generator: the kill schedule is reproducible (timing still varies).
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

/** Runs `job` while killing one or two workers at random moments; returns its result. */
async function underFire<T>(job: () => Promise<T>): Promise<T> {
  let done = false;
  const killer = (async () => {
    const planned = 1 + Math.floor(rand() * 2);
    for (let k = 0; k < planned && !done; k++) {
      await new Promise((r) => setTimeout(r, 5 + rand() * 60));
      const pids = sc.workerPids();
      pids.forEach((p) => allPids.add(p));
      const victim = pids[Math.floor(rand() * pids.length)];
      if (!done && victim !== undefined) {
        try {
          process.kill(victim, "SIGKILL");
          kills++;
        } catch {
          /* already gone */
        }
      }
    }
  })();
  try {
    return await job();
  } finally {
    done = true;
    await killer;
    sc.workerPids().forEach((p) => allPids.add(p));
  }
}

const text = Array.from({ length: 3000 }, (_, i) => `w${i % 97} w${(i * 7) % 31} w${i % 5}`);
const words = () => sc.parallelize(text, 6).flatMap((l) => l.split(" ")).map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b, 4);
const sortJob = () => sc.parallelize(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000), 6).sortBy((x) => x, true, 4).collect();
const joinJob = () => {
  const left = sc.parallelize(Array.from({ length: 2000 }, (_, i) => [i % 300, i] as [number, number]), 5);
  const right = sc.parallelize(Array.from({ length: 300 }, (_, i) => [i, `n${i}`] as [number, string]), 3);
  return left.join(right, 4).map(([k, [v, n]]) => `${k}:${v}:${n}`).collect().then((xs) => xs.sort());
};

async function check<T>(name: string, job: () => Promise<T>): Promise<void> {
  const expected = await job();
  for (let i = 0; i < RUNS; i++) assert.deepEqual(await underFire(job), expected, `${name}, run ${i}`);
}

test("word count survives killed workers", async () => {
  await check("wordcount", () => words().collect().then((xs) => xs.sort()));
});

test("sort survives killed workers", async () => {
  await check("sort", sortJob);
});

test("join survives killed workers", async () => {
  await check("join", joinJob);
});

test("a cached multi-job program survives killed workers", async () => {
  const program = async () => {
    const cached: RDD<[string, number]> = words().cache();
    const total = await cached.values().sum();
    const top = await cached.takeOrdered(3, ([w, n]) => [-n, w]);
    const distinct = await cached.count();
    cached.unpersist();
    return { total, top, distinct };
  };
  await check("cached", program);
});

test("workers were really killed, and replaced", () => {
  assert.ok(kills >= RUNS * 2, `${kills} kills`);
  assert.equal(sc.workerPids().length, 2);
  console.log(`# ${kills} workers killed during ${RUNS * 4} runs`);
});

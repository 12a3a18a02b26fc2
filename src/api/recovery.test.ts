/**
 * Lost data is recomputed from lineage: a deleted shuffle map output reruns only that map
 * task; a deleted on-disk cached block is recomputed; a dead worker's task is retried.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SparkContext, StorageLevel, TaskContext } from "../index.js";

const sc = new SparkContext({ master: "local[2]", appName: "recovery-test" });
after(() => sc.stop());

const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

test("a deleted shuffle map output is recomputed: only the missing map task runs again", async () => {
  const mapCalls = sc.accumulator(0);
  const counts = sc.parallelize(Array.from({ length: 400 }, (_, i) => i % 10), 4).map((k) => {
    mapCalls.add(1);
    return [k, 1] as [number, number];
  }).reduceByKey((a, b) => a + b);
  const first = sorted(await counts.collect());
  assert.equal(mapCalls.value, 400);
  const shuffleDir = readdirSync(sc.localDir).find((d) => d.startsWith("shuffle-"))!;
  const dataFiles = readdirSync(join(sc.localDir, shuffleDir)).filter((f) => f.endsWith(".data"));
  assert.equal(dataFiles.length, 4);
  rmSync(join(sc.localDir, shuffleDir, dataFiles[2]!));
  assert.deepEqual(sorted(await counts.collect()), first);
  assert.equal(mapCalls.value, 500, "exactly one map task (100 records) ran again");
});

test("a deleted on-disk cached block is recomputed from lineage", async () => {
  const calls = sc.accumulator(0);
  const rdd = sc.parallelize([1, 2, 3, 4], 2).map((x) => {
    calls.add(1);
    return x * 10;
  }).persist(StorageLevel.DISK_ONLY);
  assert.equal(await rdd.sum(), 100);
  const blocks = join(sc.localDir, "blocks");
  for (const f of readdirSync(blocks).filter((f) => f.startsWith(`rdd_${rdd.id}_0`))) rmSync(join(blocks, f));
  assert.equal(await rdd.sum(), 100);
  assert.equal(calls.value, 6, "only the lost partition (2 records) was recomputed");
  rdd.unpersist();
});

/** Flips one bit in the middle of a file (the body of one of its frames, for files of a few batches). */
function flipBit(path: string): void {
  const bytes = readFileSync(path);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
  writeFileSync(path, bytes);
}

test("one bit flipped in a shuffle map output between two actions: the frame fails its checksum, that map output is recomputed, the answer is the same", async () => {
  const mapCalls = sc.accumulator(0);
  const counts = sc.parallelize(Array.from({ length: 4000 }, (_, i) => `k${i % 500}`), 4).map((k) => {
    mapCalls.add(1);
    return [k, 1] as [string, number];
  }).reduceByKey((a, b) => a + b);
  const first = sorted(await counts.collect());
  // This job's shuffle: the newest.
  const shuffleDir = readdirSync(sc.localDir).filter((d) => d.startsWith("shuffle-")).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8))).at(-1)!;
  const dataFiles = readdirSync(join(sc.localDir, shuffleDir)).filter((f) => f.endsWith(".data")).sort();
  assert.equal(dataFiles.length, 4);
  flipBit(join(sc.localDir, shuffleDir, dataFiles[1]!));
  assert.deepEqual(sorted(await counts.collect()), first);
  assert.equal(mapCalls.value, 5000, "exactly the damaged map output (1000 records) was computed again");
});

test("one bit flipped in an on-disk cached block: the task names the file, the block is recomputed from lineage", async () => {
  const calls = sc.accumulator(0);
  const rdd = sc.parallelize(Array.from({ length: 2000 }, (_, i) => `v${i}`), 2).map((x) => {
    calls.add(1);
    return x;
  }).persist(StorageLevel.DISK_ONLY);
  assert.equal(await rdd.count(), 2000);
  const blocks = join(sc.localDir, "blocks");
  const [block] = readdirSync(blocks).filter((f) => f === `rdd_${rdd.id}_0`);
  flipBit(join(blocks, block!));
  assert.deepEqual((await rdd.collect()).slice(0, 3), ["v0", "v1", "v2"]);
  assert.equal(calls.value, 3000, "only the damaged partition (1000 records) was recomputed");
  rdd.unpersist();
});

test("a worker that dies mid-task (process.exit) is replaced and the task retried", async () => {
  const out = await sc.parallelize([1, 2, 3, 4], 2).map((x) => {
    if (x === 3 && TaskContext.get()!.attemptNumber() === 0) process.exit(3);
    return x * 2;
  }).collect();
  assert.deepEqual(out, [2, 4, 6, 8]);
  assert.equal(sc.workerPids().length, 2);
});

test("a task that always kills its worker fails the job with the exit code and attempts", async () => {
  await assert.rejects(sc.parallelize([1], 1).map(() => {
    console.error("about to exit");
    process.exit(7);
  }).collect(), (e: Error & { code?: string }) => e.code === "WORKER_LOST" && /exit code 7/.test(e.message) && /failed 4 times/.test(e.message) && /about to exit/.test(e.message));
  assert.equal(await sc.parallelize([1, 2]).count(), 2, "the context stays usable");
});

test("a native-style crash (abort) is a lost worker naming the signal", async () => {
  await assert.rejects(sc.parallelize([1], 1).map(() => process.abort()).collect(), (e: Error & { code?: string }) => e.code === "WORKER_LOST" && /signal SIGABRT/.test(e.message));
});

test("a corrupt frame on the control channel is a clear error, not a hang", async () => {
  const { writeSync } = await import("node:fs");
  await assert.rejects(sc.parallelize([1], 1).map((x) => {
    writeSync(3, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    return x;
  }).collect(), (e: Error & { code?: string }) => e.code === "WORKER_LOST" && /corrupt message \(corrupt frame header/.test(e.message));
  assert.equal(await sc.parallelize([1, 2]).count(), 2);
});

test("a job cancelled during saveAsTextFile leaves no output", async () => {
  const { mkdtempSync, existsSync, rmSync: rm } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tspark-cancel-save-"));
  try {
    const out = join(dir, "out");
    sc.setJobGroup("save", "a save to cancel", true);
    const save = sc.range(0, 6, 1, 6).map((x) => {
      const end = Date.now() + (x < 2 ? 50 : 20_000);
      while (Date.now() < end);
      return x;
    }).saveAsTextFile(out);
    sc.setLocalProperty("spark.jobGroup.id", null);
    sc.setLocalProperty("spark.job.interruptOnCancel", null);
    await new Promise((r) => setTimeout(r, 600)); // some part files committed, others running
    assert.ok(existsSync(out));
    sc.cancelJobGroup("save");
    await assert.rejects(save, /cancelled/);
    assert.equal(existsSync(out), false);
  } finally {
    rm(dir, { recursive: true, force: true });
  }
});

/**
 * What the program no longer references is removed while it runs, as Spark's ContextCleaner
 * does: the files of a shuffle whose RDD is garbage, a dropped persisted RDD's blocks, a
 * dropped broadcast's file. What a kept RDD needs stays.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SparkContext, StorageLevel, TaskContext } from "../index.js";
import { collectGarbage } from "../testing/gc.js";

// A small aggregation memory: the second test's reduce tasks spill.
const sc = new SparkContext({ master: "local[2]", appName: "context-cleaner-test", conf: { "tspark.worker.memory": "1m" } });
after(() => sc.stop());

const shuffleDirs = () => readdirSync(sc.localDir).filter((d) => d.startsWith("shuffle-"));

/** Collects garbage until `done` (FinalizationRegistry's callbacks run in a later turn of the event loop). */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10 && !done(); i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("the files of shuffles no RDD reads any more are removed while the program runs; a kept RDD's shuffle stays and serves", async () => {
  const mapCalls = sc.accumulator(0);
  const kept = sc.parallelize(Array.from({ length: 100 }, (_, i) => i), 4).map((k) => {
    mapCalls.add(1);
    return [k % 10, 1] as [number, number];
  }).reduceByKey((a, b) => a + b);
  assert.equal((await kept.collect()).length, 10);
  for (let i = 0; i < 20; i++) {
    const sums = await sc.parallelize([1, 2, 3, 4, 5, 6], 2).map((x) => [x % 3, x * i] as [number, number]).reduceByKey((a, b) => a + b).collectAsMap();
    assert.equal(sums.get(0), 9 * i);
  }
  await collectUntil(() => shuffleDirs().length <= 2);
  assert.ok(shuffleDirs().length <= 2, `21 shuffles ran, ${shuffleDirs().length} left: ${shuffleDirs().join(", ")}`);
  assert.equal((await kept.collect()).length, 10);
  assert.equal(mapCalls.value, 100, "the kept RDD's shuffle was read again, not recomputed");
});

test("a worker that dies leaves no spill files behind", async () => {
  const before = sc.workerPids();
  const keys = await sc.parallelize(Array.from({ length: 60_000 }, (_, i) => i), 2).map((i) => [i % 5000, `value ${i}`] as [number, string]).groupByKey(2).map(([k, vs]) => {
    const t = TaskContext.get()!;
    if (t.partitionId() === 0 && t.attemptNumber() === 0) process.exit(3); // after its input spilled
    return [k, [...vs].length] as [number, number];
  }).count();
  assert.equal(keys, 5000);
  const dead = before.filter((p) => !sc.workerPids().includes(p));
  assert.equal(dead.length, 1);
  const spills = readdirSync(sc.localDir).filter((d) => d.startsWith("spill-"));
  assert.ok(spills.length > 0, "the reduce tasks spilled");
  assert.ok(!spills.includes(`spill-${dead[0]}`), `the dead worker's spill files are gone: ${spills.join(", ")}`);
});

test("a persisted RDD and a broadcast the program dropped: their disk blocks and file are removed while it runs", async () => {
  const blockFiles = () => (existsSync(join(sc.localDir, "blocks")) ? readdirSync(join(sc.localDir, "blocks")) : []);
  let broadcastPath = "";
  await (async () => {
    const b = sc.broadcast({ factor: 3 });
    broadcastPath = b.path;
    const cached = sc.parallelize([1, 2, 3, 4], 2).map((x) => x * b.value.factor).persist(StorageLevel.DISK_ONLY);
    assert.equal(await cached.sum(), 30);
    assert.equal(blockFiles().filter((f) => f.startsWith(`rdd_${cached.id}_`)).length, 2);
  })();
  assert.ok(existsSync(broadcastPath));
  await collectUntil(() => blockFiles().length === 0 && !existsSync(broadcastPath));
  assert.deepEqual(blockFiles(), []);
  assert.equal(existsSync(broadcastPath), false);
});

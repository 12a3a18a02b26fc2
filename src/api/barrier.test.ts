/**
 * Barrier stages: tasks start together, wait for each other, exchange messages; one
 * failing task makes the whole stage run again; too many tasks for the slots is refused. On
 * the engine testing/contract-context.ts chooses (two slots either way).
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BarrierTaskContext } from "../index.js";
import { contractContext } from "../testing/contract-context.js";

// Spark checks a barrier stage's slots again every 15 s, 40 times, before it refuses the job
// (spark.scheduler.barrier.maxConcurrentTasksCheck.*): once, here.
const { sc, engine } = contractContext("barrier-test", { "spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures": "1", "spark.scheduler.barrier.maxConcurrentTasksCheck.interval": "1s" });
after(() => sc.stop());

test("allGather returns every task's message in partition order", async () => {
  const out = await sc.parallelize([1, 2, 3, 4, 5], 2).barrier().mapPartitions(async (it) => {
    const ctx = BarrierTaskContext.get()!;
    const mine = [...it].reduce((a, b) => a + b, 0);
    const all = await ctx.allGather(String(mine));
    await ctx.barrier();
    return [all.join(",")];
  }).collect();
  assert.deepEqual(out, ["3,12", "3,12"]);
});

test("tasks wait at the barrier for the slowest", async () => {
  const times = await sc.parallelize([0, 1], 2).barrier().mapPartitionsWithIndex(async (i) => {
    if (i === 0) await new Promise((r) => setTimeout(r, 400));
    const arrived = Date.now();
    await BarrierTaskContext.get()!.barrier();
    return [[arrived, Date.now()]];
  }).collect();
  // Neither leaves before the last has arrived. (Spark's tasks look for the release once a second.)
  const lastArrival = Math.max(...times.map(([arrived]) => arrived!));
  for (const [, released] of times) assert.ok(released! >= lastArrival, `released at ${released}, the last arrived at ${lastArrival}`);
  if (engine === "local") assert.ok(Math.abs(times[0]![1]! - times[1]![1]!) < 200, `released together: ${times}`);
});

test("a failing barrier task retries the whole stage (a stage whose output is shuffled)", async () => {
  // Each task counts its runs in a file; partition 1 fails its first run. (Spark numbers a
  // stage's attempts, not its tasks', so the count is kept outside the task; and Spark reruns
  // only a barrier stage whose output it shuffles: a result stage's may be out already.)
  const dir = mkdtempSync(join(tmpdir(), "tspark-barrier-"));
  try {
    const out = await sc.parallelize([0, 1], 2).barrier().mapPartitionsWithIndex(async (i) => {
      const runs = join(dir, String(i));
      const before = existsSync(runs) ? readFileSync(runs, "utf8").length : 0;
      appendFileSync(runs, "x");
      if (i === 1 && before === 0) {
        // Once partition 0 has counted its run, so that both runs are counted.
        while (!existsSync(join(dir, "0"))) await new Promise((r) => setTimeout(r, 10));
        throw new Error("first attempt fails");
      }
      await BarrierTaskContext.get()!.barrier();
      return [[`${i}@${before}`, 1] as [string, number]];
    }).reduceByKey((a, b) => a + b, 1).keys().collect();
    assert.deepEqual(out.sort(), ["0@1", "1@1"], "both tasks ran again");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a barrier stage needing more slots than exist is refused", async () => {
  const refused = engine === "spark" ? /requires more slots than the total number of slots in the cluster/ : /needs 3 tasks running together but there are only 2 worker slots/;
  await assert.rejects(sc.parallelize([1, 2, 3], 3).barrier().mapPartitions((it) => it).collect(), refused);
  assert.equal(BarrierTaskContext.get(), undefined);
});

/**
 * Barrier stages: tasks start together, wait for each other, exchange messages; one
 * failing task makes the whole stage run again; too many tasks for the slots is refused.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext, BarrierTaskContext, TaskContext } from "../index.js";

const sc = new SparkContext({ master: "local[2]", appName: "barrier-test" });
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
    await BarrierTaskContext.get()!.barrier();
    return [Date.now()];
  }).collect();
  assert.ok(Math.abs(times[0]! - times[1]!) < 200, `released together: ${times}`);
});

test("a failing barrier task retries the whole stage", async () => {
  const out = await sc.parallelize([0, 1], 2).barrier().mapPartitionsWithIndex(async (i) => {
    const attempt = TaskContext.get()!.attemptNumber();
    if (i === 1 && attempt === 0) throw new Error("first attempt fails");
    await BarrierTaskContext.get()!.barrier();
    return [`${i}@${attempt}`];
  }).collect();
  assert.deepEqual(out, ["0@1", "1@1"], "both tasks ran again");
});

test("a barrier stage needing more slots than exist is refused", async () => {
  await assert.rejects(sc.parallelize([1, 2, 3], 3).barrier().mapPartitions((it) => it).collect(), /needs 3 tasks running together but there are only 2 worker slots/);
  assert.equal(BarrierTaskContext.get(), undefined);
});

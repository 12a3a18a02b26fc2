/**
 * Speculative execution (tspark.speculation; on Spark, Spark's spark.speculation): a task
 * stuck far longer than its siblings is copied onto an idle worker, the copy's result is
 * used, and additions to an accumulator count once per partition.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { TaskContext } from "../index.js";
import { contractContext } from "../testing/contract-context.js";

const { sc, localEngineOnly } = contractContext("speculation-test", {
  "tspark.speculation": "true",
  "tspark.speculation.interval": "50ms",
  "tspark.speculation.minTaskRuntime": "300ms",
  "tspark.speculation.quantile": "0.5",
});
after(() => sc.stop());

// Spark launches a copy only on another host than the original's (TaskSetManager), and
// local-cluster's executors share one: there the settings reach Spark (spark-jobs.test.ts).
const oneHost = localEngineOnly("Spark copies a task only onto another host, and local-cluster has one");

test("a straggling task's speculative copy finishes the job long before the straggler would", { timeout: 60_000, skip: oneHost }, async () => {
  const seen = sc.accumulator(0);
  const started = Date.now();
  const out = await sc.parallelize([1, 2, 3, 4, 5, 6, 7, 8], 8).map((x) => {
    seen.add(1);
    if (x === 8 && TaskContext.get()!.attemptNumber() === 0) {
      const until = Date.now() + 40_000; // a straggler: a slow disk, a busy machine
      while (Date.now() < until);
    }
    return x * 2;
  }).collect();
  assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14, 16]);
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  assert.equal(seen.value, 8, "each partition's additions count once");
});

/**
 * No hangs: a worker that stops (SIGSTOP) or hangs outside JavaScript sends no heartbeat and
 * is replaced within tspark.worker.timeout, its task retried; a worker busy in a long task
 * keeps sending them (its heartbeat comes from a thread of its own) and is left alone.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { SparkContext, TaskContext } from "../index.js";

const sc = new SparkContext({ master: "local[2]", appName: "worker-heartbeat-test", conf: { "tspark.worker.timeout": "1500" } });
after(() => sc.stop());

test("a worker stopped mid-task (SIGSTOP) is killed after tspark.worker.timeout and its task retried on another", { timeout: 20_000 }, async () => {
  const started = Date.now();
  const out = await sc.parallelize([1, 2, 3, 4], 2).map((x) => {
    if (x === 3 && TaskContext.get()!.attemptNumber() === 0) process.kill(process.pid, "SIGSTOP");
    return x * 2;
  }).collect();
  assert.deepEqual(out, [2, 4, 6, 8]);
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  assert.equal(sc.workerPids().length, 2);
});

test("a task busy for longer than the timeout is not mistaken for a stopped worker", async () => {
  const before = sc.workerPids();
  const out = await sc.parallelize([1, 2], 2).map((x) => {
    const until = Date.now() + 3000;
    while (Date.now() < until); // the main thread never yields
    return x;
  }).collect();
  assert.deepEqual(out, [1, 2]);
  assert.deepEqual(sc.workerPids().sort(), before.sort(), "no worker was replaced");
});

test("a driver that blocks its own event loop past the timeout does not take its workers for stopped ones", async () => {
  const before = sc.workerPids();
  const until = Date.now() + 3000;
  while (Date.now() < until); // the driver's checks and the workers' beats both wait
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(await sc.parallelize([1, 2], 2).collect(), [1, 2]);
  assert.deepEqual(sc.workerPids().sort(), before.sort(), "no worker was replaced");
});

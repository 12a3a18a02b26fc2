/**
 * Task retries and worker crashes beyond those of recovery.test: a task that fails three
 * times and then succeeds, a user error after every attempt (named with the attempt count
 * and the last error), and a worker killed by SIGSEGV (what a crash in native code looks
 * like from outside). On the engine testing/contract-context.ts chooses: on Spark, Spark
 * retries the tasks (spark.task.maxFailures, 4 as tspark's) and its messages differ in form.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { TaskContext } from "../index.js";
import { contractContext } from "../testing/contract-context.js";

const { sc, engine } = contractContext("failure-modes-test");
after(() => sc.stop());

/** How a job says its task ran out of attempts: tspark's engine counts them, Spark names its setting. */
const outOfAttempts = (partition: number) => (engine === "spark" ? new RegExp(`task for partition ${partition} of stage \\d+ failed \\(after Spark's retries, spark\\.task\\.maxFailures\\)`) : new RegExp(`task for partition ${partition} of stage \\d+ failed 4 times; most recent failure \\(attempt 3\\)`));

test("a task failing on attempts 0-2 succeeds on its fourth (tspark.task.maxFailures 4)", async () => {
  const out = await sc.parallelize([1, 2, 3], 3).map((x) => {
    const attempt = TaskContext.get()!.attemptNumber();
    if (x === 2 && attempt < 3) throw new Error(`flaky attempt ${attempt}`);
    return [x, x === 2 ? attempt : 0];
  }).collect();
  assert.deepEqual(out, [[1, 0], [2, 3], [3, 0]]);
});

test("a task failing every attempt fails the job with the attempt count and the last error", async () => {
  const err = await sc.parallelize([1, 2], 2).map((x) => {
    if (x === 2) throw new TypeError(`always, attempt ${TaskContext.get()!.attemptNumber()}`);
    return x;
  }).collect().then(() => undefined, (e: unknown) => e as Error & { code?: string });
  assert.ok(err);
  assert.equal(err.code, "TASK_FAILED");
  assert.match(err.message, outOfAttempts(1));
  assert.match(err.message, /TypeError: always, attempt 3/);
  assert.match(err.message, /failure-modes\.test\.(ts|js):\d+/, "the user's line");
});

test("a task out of attempts fails the job at once while a sibling task still runs for 20 s (the sibling is killed)", async () => {
  const started = Date.now();
  const err = await sc.parallelize([1, 2], 2).map((x) => {
    if (x === 2) throw new Error("always");
    const until = Date.now() + 20_000; // a long task that never reaches a batch boundary
    while (Date.now() < until);
    return x;
  }).collect().then(() => undefined, (e: unknown) => e as Error);
  assert.ok(err);
  assert.match(err.message, outOfAttempts(1));
  assert.ok(Date.now() - started < 12_000, `reported after ${Date.now() - started} ms`);
  assert.deepEqual(await sc.parallelize([1, 2], 2).collect(), [1, 2], "the context goes on");
});

test("a thrown string fails the job with the string, and says how to get the line that threw", async () => {
  const err = await sc.parallelize([1, 2], 2).map((x) => {
    if (x === 2) throw "bad record";
    return x;
  }).collect().then(() => undefined, (e: unknown) => e as Error);
  assert.ok(err);
  assert.match(err.message, /a non-Error value was thrown: bad record\n\s+\(a value that is not an Error has no stack: throw new Error\(\.\.\.\) to see the line that threw it\)/);
});

test("a worker killed by SIGSEGV is replaced and its task retried; always crashing, the job names the signal", async () => {
  const out = await sc.parallelize([1, 2], 2).map((x) => {
    if (x === 2 && TaskContext.get()!.attemptNumber() === 0) process.kill(process.pid, "SIGSEGV");
    return x * 10;
  }).collect();
  assert.deepEqual(out, [10, 20]);
  // Spark says only that the worker crashed (its runner sees the connection end, not the signal).
  const named = engine === "spark" ? /tspark's worker process died \(.*crashed/s : /partition 0 of stage \d+ failed 4 times.*signal SIGSEGV/s;
  await assert.rejects(
    sc.parallelize([1], 1).map(() => process.kill(process.pid, "SIGSEGV")).collect(),
    (e: Error & { code?: string }) => e.code === "WORKER_LOST" && named.test(e.message),
  );
  if (engine === "local") assert.equal(sc.workerPids().length, 2);
  assert.equal(await sc.parallelize([1, 2, 3]).sum(), 6, "the context stays usable");
});

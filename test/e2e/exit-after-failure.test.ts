/**
 * End-to-end: a program whose job failed (or was stopped) while other tasks still ran must
 * exit by itself once it has called sc.stop(), and leave no worker process behind. A hang
 * fails the test (the child is killed after a generous bound, never a timing assertion).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { alive, waitUntil } from "../../src/testing/processes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const HANG_BOUND_MS = 30_000;

/** Runs a test program through the CLI; fails (killing it and its workers) if it does not exit by itself. */
async function runToExit(program: string, args: string[] = []): Promise<{ code: number | null; stdout: string; workerPids: number[] }> {
  const child = spawn(process.execPath, [CLI, `test/e2e/programs/${program}`, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<"hung">((r) => (timer = setTimeout(() => r("hung"), HANG_BOUND_MS)))]);
  clearTimeout(timer);
  const workerPids = (/^pids (.*)$/m.exec(stdout)?.[1] ?? "").split(",").filter(Boolean).map(Number);
  if (code === "hung") {
    child.kill("SIGKILL");
    for (const pid of workerPids) if (alive(pid)) process.kill(pid, "SIGKILL");
    assert.fail(`${program} ${args.join(" ")} did not exit by itself after sc.stop()\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  return { code, stdout, workerPids };
}

async function assertNoWorkerLeft(pids: number[]): Promise<void> {
  assert.ok(pids.length > 0, "the program printed its worker pids");
  assert.ok(await waitUntil(() => pids.every((p) => !alive(p)), 5_000), `worker processes left behind: ${pids.filter(alive).join(",")}`);
}

test("a job failing while a sibling shuffle stage still runs: the program exits after stop(), no worker left", async () => {
  const r = await runToExit("failed-job-exit.ts", ["sibling-stage"]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^failed: Job 0 failed: .*Error: boom$/m);
  assert.match(r.stdout, /^stopped$/m);
  await assertNoWorkerLeft(r.workerPids);
});

test("a job failing in planning while its other stages' tasks wait for the workers to start: the program exits after stop()", async () => {
  // The reported hang (PageRank's 'missing map outputs' on its first job, then sc.stop()).
  const r = await runToExit("failed-job-exit.ts", ["at-startup"]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^failed: Barrier stage \d+ needs 3 tasks running together but there are only 2 worker slots/m);
  assert.match(r.stdout, /^stopped$/m);
  await assertNoWorkerLeft(r.workerPids);
});

test("an action failing while a concurrent job still runs: both settle, the program exits after stop()", async () => {
  const r = await runToExit("failed-job-exit.ts", ["concurrent-jobs"]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^ok \[1,3,4,5,6,7\]$/m);
  assert.match(r.stdout, /^failed: Job 1 failed: .*Error: boom$/m);
  await assertNoWorkerLeft(r.workerPids);
});

test("a job cancelled while its task waits for the worker holding its cached input: the program exits after stop()", async () => {
  const r = await runToExit("failed-job-exit.ts", ["cancelled-waiting-for-locality"]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^ok \[1,2\]$/m);
  assert.match(r.stdout, /^rejected Job \d+ cancelled: part of cancelled job group waits$/m);
  assert.match(r.stdout, /^stopped$/m);
  await assertNoWorkerLeft(r.workerPids);
});

test("stop() while a task is being launched and no worker is free: every job fails with a clear error, the program exits", async () => {
  const r = await runToExit("stop-during-launch.ts");
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^slow: the SparkContext was stopped/m);
  assert.match(r.stdout, /^waiting: the SparkContext was stopped/m);
  assert.match(r.stdout, /^stopped$/m);
  await assertNoWorkerLeft(r.workerPids);
});

test("stop() while the first tasks wait for the workers to start: every job fails with a clear error, the program exits", async () => {
  const r = await runToExit("stop-at-startup.ts");
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(r.stdout.match(/^job: .*$/gm), ["job: the SparkContext was stopped", "job: the SparkContext was stopped"]);
  assert.match(r.stdout, /^stopped$/m);
  await assertNoWorkerLeft(r.workerPids);
});

test("stop() while workers are busy past the shutdown grace: stop() resolves, the program goes on, no worker left", async () => {
  // It ended with exit code 13 (an unsettled top-level await) and never ran the code after stop().
  // One worker busy 5 s; two busy 3 s and 9 s (a stuck stop() among the injected faults).
  for (const args of [[], ["2", "3000"], ["2", "9000"]]) {
    const r = await runToExit("stop-busy-worker.ts", args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stdout}`);
    assert.match(r.stdout, /^after stop$/m);
    assert.equal(r.workerPids.length, Number(args[0] ?? 1));
    await assertNoWorkerLeft(r.workerPids);
  }
});

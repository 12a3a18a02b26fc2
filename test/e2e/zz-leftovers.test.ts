/**
 * Runs last: after the whole suite, no tspark worker process and no temporary directory
 * created during the run may remain (every test cleans up after itself, by stop(), by
 * exit, by signal).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// This checkout's workers only: other checkouts on the machine may be running their own suites.
const WORKER_MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "executor", "worker-main.js");
const suiteStart = Number(process.env["TSPARK_SUITE_START"] ?? Date.now());

test("no worker process is left behind", async () => {
  await new Promise((r) => setTimeout(r, 500));
  const workers = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(WORKER_MAIN);
    } catch {
      return false;
    }
  });
  assert.deepEqual(workers, []);
});

test("no tspark temporary directory made during the suite is left behind", () => {
  const left = readdirSync(tmpdir()).filter((d) => d.startsWith("tspark-local-")).filter((d) => {
    try {
      return statSync(join(tmpdir(), d)).mtimeMs >= suiteStart;
    } catch {
      return false;
    }
  });
  assert.deepEqual(left, []);
});

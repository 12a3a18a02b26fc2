/**
 * Runs last: after the whole suite, no tspark worker process and no temporary directory
 * created during the run may remain (every test cleans up after itself, by stop(), by
 * exit, by signal).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const suiteStart = Number(process.env["TSPARK_SUITE_START"] ?? Date.now());
const WORKER_MAIN = fileURLToPath(new URL("../../dist/worker/transport/worker-main.js", import.meta.url));

test("no worker process is left behind", async () => {
  await new Promise((r) => setTimeout(r, 500));
  const workers = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      // This checkout's workers only: other checkouts may be running their own suites.
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(WORKER_MAIN);
    } catch {
      return false;
    }
  });
  assert.deepEqual(workers, []);
});

/** Application directories some live worker process (of any checkout) still works in. */
function dirsInUse(): Set<string> {
  const used = new Set<string>();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      const dir = env.find((e) => e.startsWith("TSPARK_LOCAL_DIR="));
      if (dir) used.add(dir.slice("TSPARK_LOCAL_DIR=".length));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return used;
}

test("no tspark temporary directory made during the suite is left behind", () => {
  // A directory that live workers still use belongs to a running application (another
  // checkout's suite, say); this suite's own workers are all gone (the test above).
  const inUse = dirsInUse();
  const left = readdirSync(tmpdir()).filter((d) => d.startsWith("tspark-local-") && !inUse.has(join(tmpdir(), d))).filter((d) => {
    try {
      return statSync(join(tmpdir(), d)).mtimeMs >= suiteStart;
    } catch {
      return false;
    }
  });
  assert.deepEqual(left, []);
});

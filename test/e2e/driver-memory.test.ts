// --driver-memory protects the driver: a collect() larger than its heap holds fails with
// tspark's message naming the limit, not V8's fatal heap error (issue 17, item 3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");

test("a collect() past a small --driver-memory: a clear error naming the driver's heap, exit 1", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "cli", "main.js"), "--master", "local[2]", "--driver-memory", "100m", "test/e2e/programs/big-collect.ts"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^tspark: Job \d+ aborted: the results sent to the driver so far \([\d.]+ MiB\) exceed a quarter of the driver's heap \([\d.]+ MiB of [\d.]+ MiB; --driver-memory raises it/m);
  assert.doesNotMatch(r.stderr, /FATAL ERROR|heap limit/);
  assert.doesNotMatch(r.stdout, /collected/);
});

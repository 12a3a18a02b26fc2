// Workers that cannot start are started again with growing delays and a bounded count, not
// in a tight loop for the life of the context (issue 19: 286 starts in 10 s).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");

test("workers that exit before they are ready: the job fails clearly; a handful of starts, then none", { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [join(ROOT, "dist", "cli", "main.js"), "test/e2e/programs/workers-cannot-start.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const started = new Set<string>();
  const poll = setInterval(() => {
    for (const pid of spawnSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean)) started.add(pid);
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(poll);
  assert.equal(code, 0, out);
  assert.match(out, /^failed: .*worker/m);
  assert.match(out, /^again: /m);
  assert.match(out, /^stopped$/m);
  assert.ok(started.size <= 12, `${started.size} worker processes started in about 5 s`);
});

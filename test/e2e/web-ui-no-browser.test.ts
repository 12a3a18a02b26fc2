// On a machine without Chromium the web UI test must fail at once with what is missing, and
// leave no program behind: it used to start the UI program first, which then waited on its
// stdin forever and held the whole suite open.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");

test("the web UI test without a browser: fails naming the missing browser, and finishes", { timeout: 190_000 }, async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-name-pattern=shows jobs, stages", "test/e2e/web-ui.test.ts"], {
    cwd: ROOT,
    // Without NODE_TEST_CONTEXT: a test run inside this one runs its file instead of refusing to.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_TEST_CONTEXT")), TSPARK_TEST_CHROMIUM: "/nonexistent/chromium" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: a hung run is killed with whatever it started
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  assert.notEqual(code, null, `the test run hung and was killed:\n${out}`);
  assert.equal(code, 1, out);
  assert.match(out, /\/nonexistent\/chromium is missing/);
  assert.match(out, /# fail 1/);
});

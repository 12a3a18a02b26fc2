/**
 * End-to-end: real programs run through the `tspark` CLI, as a user runs them.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, constants } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { alive, waitUntil } from "../../src/testing/processes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");

function tspark(args: string[], timeoutMs = 60_000) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("the bundled word count prints the most frequent words", () => {
  const r = tspark(["examples/wordcount.ts", "examples/data/sample.txt", "5"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 5);
  // Compare with a direct single-process count of the same file.
  const counts = new Map<string, number>();
  for (const w of readFileSync(join(ROOT, "examples/data/sample.txt"), "utf8").toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
    if (w.length >= 3) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
  assert.deepEqual(lines.map((l) => l.trim().split(/\s+/)), expected.map(([w, n]) => [String(n), w]));
});

test("closures capture what a user's TypeScript program uses", () => {
  const r = tspark(["test/e2e/programs/captures.ts"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
  assert.deepEqual(out, {
    classInstance: [11, 21],
    mapAndSet: [2, 0],
    date: [1],
    recursion: [55],
    closureFactory: [6],
    builtinImports: [["11f6ad8e", "a/x"]],
    npmImport: [1],
    relativeTsImport: ["cat"],
    before: [3],
    after: [1, 2, 3],
    asyncFn: [3, 6],
  });
});

test("a user exception points at the user's .ts line", () => {
  const r = tspark(["test/e2e/programs/throwing.ts"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: malformed reading: "broken"/);
  assert.match(r.stderr, /throwing\.ts:7:/, r.stderr);
  assert.match(r.stderr, /partition 1 of stage \d+/);
});

test("a program is compiled once into the cache and run from it, its errors still at its .ts lines", () => {
  const tmp = mkdtempSync(join(tmpdir(), "tspark-compile-e2e-"));
  try {
    const env = { ...process.env, TMPDIR: tmp };
    const run = (program: string) => spawnSync(process.execPath, [CLI, program], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env });
    const cache = join(tmp, `tspark-compiled-${process.getuid!()}`);
    for (const round of ["compiled", "from the cache"]) {
      const worker = run("test/e2e/programs/throwing.ts");
      assert.equal(worker.status, 1, round);
      assert.match(worker.stderr, /throwing\.ts:7:/, `${round}: ${worker.stderr}`);
      const driver = run("test/e2e/programs/capture-sc.ts");
      assert.equal(driver.status, 1, round);
      assert.match(driver.stderr, /capture-sc\.ts:6/, `${round}: ${driver.stderr}`);
      const compiled = readdirSync(cache, { recursive: true, encoding: "utf8" });
      assert.ok(compiled.some((f) => f.endsWith("-throwing.mjs")), `${round}: ${compiled.join(", ")}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("capturing the SparkContext is refused at submission, naming the variable and line", () => {
  const r = tspark(["test/e2e/programs/capture-sc.ts"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"sc"/);
  assert.match(r.stderr, /SparkContext/);
  assert.match(r.stderr, /capture-sc\.ts:6/);
});

test("launcher options reach the program; the program's own settings win", () => {
  const r = tspark(["--master", "local[1]", "--name", "from-cli", "--conf", "tspark.custom.key=42", "test/e2e/programs/launcher-conf.ts", "--flag", "x"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { master: "local[1]", appName: "set-in-code", custom: "42", args: ["--flag", "x"], parallelism: 1 });
});

test("bad launcher usage is a clear error with a non-zero exit", () => {
  const bad = tspark(["--bogus", "x.ts"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option '--bogus'/);
  const missing = tspark(["nope.ts"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /program not found/);
  assert.match(tspark(["--version"]).stdout, /^tspark \d+\.\d+\.\d+/);
});

test("a program's own process.exitCode is the launcher's exit code", () => {
  const r = tspark(["test/e2e/programs/exit-code.ts"]);
  assert.match(r.stdout, /count 3/);
  assert.equal(r.code, 3, r.stderr);
});

test("the launcher starts the workers before the program compiles, and the program's context adopts them", () => {
  const r = tspark(["--master", "local[2]", "--conf", "tspark.executorEnv.STANDBY_E2E=set", "test/e2e/programs/standby-adopted.ts"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /workers 2 older than the context true/);
  assert.match(r.stdout, /executorEnv set\n/);
  assert.match(r.stdout, /counted 4/);
});

test("a program that forgets stop() still exits, and its workers with it", async () => {
  const r = tspark(["test/e2e/programs/no-stop.ts"], 30_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sum 4950/);
  const pids = /pids ([\d,]+)/.exec(r.stdout)![1]!.split(",").map(Number);
  assert.ok(await waitUntil(() => pids.every((p) => !alive(p)), 5000), "workers exited");
});

for (const mode of ["busy", "idle"] as const) {
test(`killing the driver (SIGKILL) leaves no worker behind (workers ${mode})`, async () => {
  const child = spawn(process.execPath, [CLI, "test/e2e/programs/long-job.ts", mode], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  assert.ok(await waitUntil(() => /pids [\d,]+\n/.test(out), 20_000), "program started");
  const pids = /pids ([\d,]+)/.exec(out)![1]!.split(",").map(Number);
  assert.ok(pids.every(alive));
  await new Promise((r) => setTimeout(r, 300)); // the long tasks are running, or the workers idle
  child.kill("SIGKILL");
  assert.ok(await waitUntil(() => pids.every((p) => !alive(p)), 5000), `workers ${pids} outlived the driver`);
  const localDir = /localDir (\S+)/.exec(out)![1]!;
  assert.ok(await waitUntil(() => !existsSync(localDir), 5000), "the orphaned workers removed the temporary directory");
});
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  test(`${signal} during saveAsTextFile: non-zero exit, no partial output, no workers or temporary files left`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tspark-signal-"));
    const out = join(dir, "out");
    try {
      const child = spawn(process.execPath, [CLI, "test/e2e/programs/interrupted-save.ts", out], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      assert.ok(await waitUntil(() => /pids [\d,]+\n/.test(stdout) && existsSync(out), 20_000), `started: ${stdout} ${stderr}`);
      await new Promise((r) => setTimeout(r, 700)); // first part files committed, others running
      child.kill(signal);
      const code = await exited;
      assert.equal(code, 128 + constants.signals[signal], stderr);
      assert.match(stderr, new RegExp(`${signal} received`));
      assert.equal(existsSync(out), false, "no partial output");
      const localDir = /localDir (\S+)/.exec(stdout)![1]!;
      assert.equal(existsSync(localDir), false, "temporary directory removed");
      const pids = /pids ([\d,]+)/.exec(stdout)![1]!.split(",").map(Number);
      assert.ok(await waitUntil(() => pids.every((p) => !alive(p)), 5000), "workers gone");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

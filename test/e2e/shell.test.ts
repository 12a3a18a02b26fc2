/**
 * End-to-end: the interactive shell and the console progress bar, driven through a
 * pseudo-terminal as a user would (define, run, complete, cancel with Ctrl-C, exit), then
 * checked for leftover processes and temporary files.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { alive, waitUntil } from "../../src/testing/processes.js";
import { spawnSync } from "node:child_process";
import { Terminal, assertBarDrawnThenCleared } from "./terminal.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const PROMPT = /tspark> $/;

/** Runs `fn` with a shell on a terminal; the shell's history goes to a temporary file. */
function withShell(args: string[], fn: (term: Terminal, history: string) => Promise<void>, history?: string): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "tspark-shell-"));
    const file = history ?? join(dir, "history");
    const term = new Terminal([process.execPath, CLI, ...args], { cwd: ROOT, env: { TSPARK_HISTORY: file } });
    try {
      await fn(term, file);
    } finally {
      term.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Asks the shell for its workers and scratch directory (to check they are gone at the end). */
async function resources(term: Terminal): Promise<{ pids: number[]; localDir: string }> {
  term.send("`${sc.workerPids().join(',')} ${sc.localDir}`\r");
  const m = await term.expect(/'([\d,]+) (\S+)'/);
  await term.expect(PROMPT);
  return { pids: m[1]!.split(",").map(Number), localDir: m[2]! };
}

async function assertCleanExit(term: Terminal, pids: number[], localDir: string): Promise<void> {
  assert.equal(await term.exited, 0, term.text);
  assert.ok(await waitUntil(() => pids.every((p) => !alive(p)), 5000), `workers ${pids} outlived the shell`);
  assert.equal(existsSync(localDir), false, "temporary directory removed");
}

test("the shell: banner, TypeScript with captured variables, Tab completion, Ctrl-C cancels a running job, .exit cleans up", withShell(["--master", "local[2]"], async (term, history) => {
  await term.expect(/Welcome to tspark \d+\.\d+\.\d+/);
  await term.expect(/master local\[2\] \(2 worker processes\), app "tspark-shell"/);
  await term.expect(/Web UI: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
  await term.expect(PROMPT);
  assert.doesNotMatch(term.text, /tspark: web UI at/, "the banner gives the address, once");

  term.send("const k: number = 10\r");
  await term.expect(PROMPT);
  term.send("await sc.parallelize([1, 2, 3]).map((x: number) => x * k).collect()\r");
  await term.expect(/\[ 10, 20, 30 \]\ntspark> $/);
  // Functions, classes and imports from earlier prompts travel with the closures that use them.
  for (const line of ["function sq(x: number): number { return x * x }", "class Pt { constructor(public x: number) {} norm() { return Math.abs(this.x) } }", "const { createHash } = await import('node:crypto')"]) {
    term.send(`${line}\r`);
    await term.expect(PROMPT);
  }
  term.send("await sc.parallelize([-3, 4]).map((x) => [sq(x) + k, new Pt(x).norm(), createHash('md5').update(String(x)).digest('hex').slice(0, 6)]).collect()\r");
  await term.expect(/\[ \[ 19, 3, 'b3149e' \], \[ 26, 4, 'a87ff6' \] \]\ntspark> $/);
  term.send("const pairs = sc.parallelize([['a', 1], ['b', 2], ['a', 3]] as [string, number][])\r");
  await term.expect(PROMPT);
  term.send("pairs\r");
  await term.expect(/ParallelCollectionRDD\[\d+\] at REPL\d+:\d+\ntspark> $/);
  const { pids, localDir } = await resources(term);

  // Tab: a unique completion is inserted; a second Tab lists the candidates. Each Tab goes on
  // its own, as typed (readline takes a Tab inside a longer chunk for pasted text).
  const typeThenTab = async (typed: string, echoed: RegExp, completed: RegExp) => {
    term.send(typed);
    await term.expect(echoed);
    term.send("\t");
    await term.expect(completed);
  };
  await typeThenTab("sc.paralle", /sc\.paralle$/, /^lize$/); // readline writes what it adds
  await typeThenTab("\x15pairs.reduceByK", /pairs\.reduceByK$/, /^ey$/);
  await typeThenTab("\x15sc.cance", /sc\.cance$/, /^l$/);
  term.send("\t");
  await term.expect(/cancelAllJobs\s+sc\.cancelJobGroup\s+sc\.cancelJobsWithTag\s+tspark> sc\.cancel$/);
  term.send("\x15await pairs.reduceByKey((a, b) => a + b).sortByKey().collect()\r");
  await term.expect(/\[ \[ 'a', 4 \], \[ 'b', 2 \] \]\ntspark> $/);

  // A job that would run for a minute: the progress bar shows it, Ctrl-C cancels it.
  term.send("await sc.range(0, 2, 1, 2).map((x) => { const end = Date.now() + 60_000; while (Date.now() < end); return x; }).collect()\r");
  await term.expect(/\[Stage \d+:>? *\(0 \+ 2\) \/ 2\]/);
  term.send("\x03");
  await term.expect(/tspark: cancelled job \d+/);
  await term.expect(/interrupted[\s\S]*tspark> $/);
  term.send("await sc.range(0, 100).sum()\r");
  await term.expect(/4950\ntspark> $/);
  // Ctrl-C keeps cached partitions: the cancelled tasks stop at a batch boundary, their workers live on.
  term.send("const computed = sc.accumulator(0); const cached = sc.range(0, 4000, 1, 4).map((x) => { computed.add(1); return x; }).cache(); await cached.count()\r");
  await term.expect(/4000\ntspark> $/);
  term.send("await sc.range(0, 100000, 1, 2).map((x) => { let s = 0; for (let i = 0; i < 100000; i++) s += i % 7; return x + s; }).count()\r");
  await term.expect(/\[Stage \d+:>? *\(0 \+ 2\) \/ 2\]/);
  term.send("\x03");
  await term.expect(/interrupted[\s\S]*tspark> $/);
  term.send("[await cached.count(), computed.value]\r");
  await term.expect(/\[ 4000, 4000 \]\ntspark> $/);
  const after = await resources(term);

  term.send(".exit\r");
  await assertCleanExit(term, [...pids, ...after.pids], localDir);
  const lines = readFileSync(history, "utf8").split("\n");
  assert.ok(lines.includes("const k: number = 10"), "history saved");
}));

test("history carries over to the next shell; Ctrl-C twice at an empty prompt leaves cleanly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-shell-history-"));
  const history = join(dir, "history");
  try {
    writeFileSync(history, "await sc.range(0, 10).count()\n");
    await withShell(["--master", "local[1]"], async (term) => {
      await term.expect(PROMPT);
      const { pids, localDir } = await resources(term);
      term.send("\x1b[A\x1b[A\r"); // up twice: past the line above, to the one from the last run
      await term.expect(/await sc\.range\(0, 10\)\.count\(\)\n10\ntspark> $/);
      // Ctrl-C during synchronous driver code is read after it: no signal reaches the workers.
      term.send("console.log('busy'); const end = Date.now() + 1500; while (Date.now() < end);\r");
      await term.expect(/\nbusy\n/);
      term.send("\x03");
      await term.expect(/press Ctrl\+C again[\s\S]*tspark> $/);
      term.send("await sc.range(0, 10).sum()\r");
      await term.expect(/45\ntspark> $/);
      assert.deepEqual((await resources(term)).pids, pids, "the same workers");
      term.send("\x03");
      await term.expect(/press Ctrl\+C again/);
      term.send("\x03");
      await assertCleanExit(term, pids, localDir);
    }, history)();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the progress bar redraws in place on a terminal, makes way for workers' output, and is cleared before the program goes on; off when disabled", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-progress-"));
  try {
    const flag = join(dir, "go");
    const on = new Terminal([process.execPath, CLI, "test/e2e/programs/held-stage.ts", flag], { cwd: ROOT });
    try {
      const bar = await on.expect(/\[Stage \d+:>\s*\(0 \+ 2\) \/ 4\]/);
      writeFileSync(flag, "go");
      await on.expect(/done 4/);
      assert.equal(await on.exited, 0, on.text);
      const raw = on.output;
      assertBarDrawnThenCleared(raw, bar[0], "done 4");
      assert.match(raw, /\r {10,}\rreleased \d/, "a worker's output line clears the drawn bar first");
    } finally {
      on.kill();
    }
    rmSync(flag, { force: true });
    const off = new Terminal([process.execPath, CLI, "--conf", "tspark.ui.showConsoleProgress=false", "test/e2e/programs/held-stage.ts", flag, "1200"], { cwd: ROOT });
    try {
      await off.expect(/done 4/);
      assert.equal(await off.exited, 0, off.text);
      assert.doesNotMatch(off.text, /Stage/);
    } finally {
      off.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a program on a terminal prints its web UI's address at start; Ctrl-C clears the progress bar before saying what it does", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-progress-"));
  try {
    // The flag is never written: the stage stays held until Ctrl-C.
    const term = new Terminal([process.execPath, CLI, "test/e2e/programs/held-stage.ts", join(dir, "never")], { cwd: ROOT });
    try {
      await term.expect(/tspark: web UI at http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\r?\n/);
      const bar = await term.expect(/\[Stage \d+:>\s*\(0 \+ 2\) \/ 4\]/);
      term.send("\x03");
      await term.expect(/SIGINT received/);
      assert.equal(await term.exited, 130, term.text);
      assertBarDrawnThenCleared(term.output, bar[0], "tspark: SIGINT received");
    } finally {
      term.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without a terminal the shell runs its input as a script, line by line, each after the previous one's await", () => {
  const input = [
    'import { normalize } from "./test/e2e/programs/helpers/text.ts"', // a static import, of a .ts helper
    "const words: string[] = await sc.parallelize(['The', 'Cat!']).map((w) => normalize(w)).collect()",
    "function shout() {",
    "  return words.map((w) => w.toUpperCase())",
    "}",
    "shout()",
  ].join("\n");
  const r = spawnSync(process.execPath, [CLI, "--master", "local[1]"], { cwd: ROOT, input, encoding: "utf8", timeout: 60_000, env: { ...process.env, TSPARK_HISTORY: "" } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Welcome to tspark/);
  assert.match(r.stdout, /tspark> undefined\ntspark> undefined\ntspark> \.\.\. \.\.\. undefined\ntspark> \[ 'THE', 'CAT' \]\ntspark> $/);
  assert.equal(r.stderr, "");
  const refused = spawnSync(process.execPath, [CLI, "--conf", "tspark.task.maxFailures=0"], { cwd: ROOT, input: "", encoding: "utf8", timeout: 60_000 });
  assert.equal(refused.status, 1);
  assert.equal(refused.stderr, "tspark: tspark.task.maxFailures must be a positive integer\n", "a setting the context refuses: its message, no stack");
});

test("a script's errors each print and the next line runs: an awaited rejection, then more errors; names may be declared again, as in PySpark; `_` may be imported", () => {
  const input = [
    'await Promise.reject(new Error("first"))', // an awaited rejection once crashed the shell at the next error
    "undefined.x",
    "const n = 1",
    "const n = 2", // a name declared again at the prompt replaces the first
    "let m = n + 1",
    "let m = 10",
    "class Point { constructor(public x: number) {} }",
    "class Point { constructor(public y: number) {} }",
    "[n, m, new Point(7).y]",
    'import _ from "node:path"', // as `import _ from "lodash"`: no notice from node about `_`
    '_.basename("/a/b.txt")',
    "_.sep",
  ].join("\n");
  const r = spawnSync(process.execPath, [CLI, "--master", "local[1]"], { cwd: ROOT, input, encoding: "utf8", timeout: 60_000, env: { ...process.env, TSPARK_HISTORY: "" } });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /has already been declared|domain/);
  assert.match(r.stdout, /Uncaught Error: first/);
  assert.match(r.stdout, /Uncaught TypeError: Cannot read properties of undefined \(reading 'x'\)/);
  assert.match(r.stdout, /tspark> \[ 2, 10, 7 \]\ntspark> undefined\ntspark> 'b.txt'\ntspark> '\/'\ntspark> $/);
  assert.doesNotMatch(r.stdout + r.stderr, /Expression assignment/);
});

/**
 * End-to-end: the web UI in a real browser (Debian's Chromium driven by playwright-core)
 * after real jobs, run through the CLI: a shuffle, a cached RDD, a failed job. Then the same
 * application from its event log with `tspark history`. The stages page's screenshot goes
 * to test-artifacts/. Chromium missing is a failure, not a skip: CI installs it (.ci/run).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
// Overridable so a test can check what happens on a machine without it (web-ui-no-browser.test.ts).
const CHROMIUM = process.env["TSPARK_TEST_CHROMIUM"] ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts");

/** Starts the CLI; `next(re)` resolves with the first stdout line after the last one matched that matches `re`. */
function start(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] }) as ChildProcessWithoutNullStreams;
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const seen: string[] = [];
  let cursor = 0;
  let wake = () => {};
  createInterface({ input: child.stdout }).on("line", (line) => {
    seen.push(line);
    wake();
  });
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve((code = c))));
  const next = async (re: RegExp): Promise<RegExpMatchArray> => {
    for (;;) {
      while (cursor < seen.length) {
        const m = seen[cursor++]!.match(re);
        if (m) return m;
      }
      if (code !== undefined) throw new Error(`tspark exited (${code}) before printing ${re}; stdout:\n${seen.join("\n")}\nstderr:\n${stderr}`);
      await Promise.race([new Promise<void>((r) => (wake = r)), exited]);
    }
  };
  return { child, next, exited, stderr: () => stderr };
}

async function openBrowser(profile: string): Promise<BrowserContext> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 640 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** The visible text of a table's rows, cells joined by " | ". */
async function rows(page: Page, table: string): Promise<string[]> {
  return page.locator(`table#${table} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => (td as { innerText: string }).innerText.trim()).join(" | ")));
}

test("the web UI shows jobs, stages, tasks with errors, storage, executors and environment, live and from the event log", { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), "tspark-ui-e2e-"));
  const events = join(tmp, "events");
  mkdirSync(ARTIFACTS, { recursive: true });
  // The browser first: without one, no program is left waiting on its stdin.
  const browser = await openBrowser(join(tmp, "profile")).catch((err: unknown) => {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  });
  const app = start(["--master", "local[2]", "--conf", "tspark.ui.port=0", "--conf", "tspark.eventLog.enabled=true", "--conf", `tspark.eventLog.dir=${events}`, "--conf", "tspark.task.maxFailures=2", "test/e2e/programs/ui-app.ts"]);
  let history: ReturnType<typeof start> | undefined;
  try {
    const [, access, url] = await app.next(/^UI ((http:\/\/127\.0\.0\.1:\d+)\/\?token=[\w-]+)$/);
    const page = await browser.newPage();
    // Without the token the UI refuses; opening the address the application printed lets the browser in.
    await page.goto(`${url}/jobs/`);
    assert.match(await page.locator("h1").innerText(), /Access token needed/);
    await page.goto(access!);

    // Jobs: three succeeded (collect, count, count), the failed one with the user's message.
    await page.goto(`${url}/jobs/`);
    assert.match(await page.title(), /ui <e2e>/);
    const jobs = await rows(page, "jobs");
    assert.equal(jobs.length, 4, jobs.join("\n"));
    // The event timeline: a bar per job, the failed one red, and the workers added.
    assert.equal(await page.locator("svg#timeline rect").count(), 4);
    assert.equal(await page.locator('svg#timeline rect[fill="#d9534f"]').count(), 1);
    assert.ok((await page.locator("svg#timeline circle").count()) >= 2);
    assert.ok((await page.locator("svg#timeline").boundingBox())!.height > 60, "drawn");
    await page.screenshot({ path: join(ARTIFACTS, "ui-jobs.png"), fullPage: true });
    assert.match(jobs[0]!, /^3 \| parse the numbers\ncollect at ui-app\.ts:\d+ \| .* \| 0\/1 \| 1\/2 \(2 failed\) \| FAILED \| Job 3 failed: task for partition 1 of stage \d+ failed 2 times/);
    for (const j of jobs.slice(1)) assert.match(j, /SUCCEEDED/);
    assert.match(jobs[3]!, /^0 \| collect at ui-app\.ts:\d+ \| .* \| 2\/2 \| 6\/6 \| SUCCEEDED/);

    // The shuffle job's DAG: its map stage (the RDDs before reduceByKey), then the result stage.
    await page.goto(`${url}/jobs/job/?id=0`);
    assert.equal(await page.locator("svg#dag g.stage").count(), 2);
    assert.ok((await page.locator("svg#dag g.rdd").count()) >= 3);
    assert.match(await page.locator("svg#dag").innerHTML(), /reduceByKey/);
    assert.equal(await page.locator("svg#dag line").count(), (await page.locator("svg#dag g.rdd").count()) - 1, "a chain: one arrow per dependency");
    await page.screenshot({ path: join(ARTIFACTS, "ui-job-dag.png"), fullPage: true });
    await page.locator("svg#dag").getByText("Stage 0", { exact: true }).click();
    await page.waitForURL(/\/stages\/stage\/\?id=0$/);
    const accumulators = await rows(page, "accumulators");
    assert.equal(accumulators.length, 1);
    assert.match(accumulators[0]!, /^\d+ \| 3$/, "the map stage's accumulator: one addition per line");
    // Each worker's console output, from the Executors page.
    await page.goto(`${url}/executors/`);
    const workerLogs: string[] = [];
    for (const link of await page.getByRole("link", { name: "stdout", exact: true }).all()) {
      await link.click();
      workerLogs.push(await page.locator("pre#log").innerText());
      await page.goBack();
    }
    assert.deepEqual(workerLogs.join("\n").split("\n").filter((l) => l.startsWith("task reads")).sort(), ["task reads <jumps over the lazy dog>", "task reads <the end>", "task reads <the quick brown fox>"]);
    await page.goto(`${url}/jobs/`);

    // The failed job's page: its error in full, with the user's message and file.
    await page.locator("table#jobs").getByRole("link", { name: "parse the numbers" }).click();
    const error = await page.locator("pre.err").innerText();
    assert.match(error, /Error: bad record <x13>/);
    assert.match(error, /ui-app\.ts:\d+/);

    // Stages: the failed stage's tasks, each attempt with its error; then the screenshot.
    await page.goto(`${url}/stages/`);
    const stages = await rows(page, "stages");
    assert.equal(stages.length, 5, stages.join("\n")); // map + result stage of the shuffle, two counts, the failed stage
    assert.match(stages[0]!, /parse the numbers|collect at ui-app/);
    assert.match(stages[0]!, /1\/2 .*\(2 failed\).*FAILED/s);
    assert.match(stages.find((s) => s.includes("reduceByKey"))!, /3\/3 .*COMPLETE/s);
    await page.locator("table#stages tbody tr").first().getByRole("link").nth(1).click();
    const tasks = await rows(page, "tasks");
    const failed = tasks.filter((t) => t.includes("FAILED"));
    assert.equal(failed.length, 2, tasks.join("\n"));
    for (const t of failed) assert.match(t, /Error: bad record <x13>/);
    const summary = await rows(page, "summary");
    assert.match(summary[0]!, /^Duration \| \d+ ms \| \d+ ms \| \d+ ms \| \d+ ms \| \d+ ms$/, "quartiles over the one successful task");
    assert.ok(tasks.some((t) => /SUCCESS \| .* \| 2 \/ \d+ B \| 2 \/ \d+ B/.test(t)), tasks.join("\n"));
    await page.screenshot({ path: join(ARTIFACTS, "ui-stages.png"), fullPage: true });

    // Storage: the cached RDD, every partition in memory.
    await page.goto(`${url}/storage/`);
    const rdds = await rows(page, "rdds");
    assert.equal(rdds.length, 1);
    assert.match(rdds[0]!, /cached words \| Memory Serialized 1x Replicated|cached words \| .*MEMORY/i);
    assert.match(rdds[0]!, /3\/3 \| 100% \| \d+(\.\d)? (B|KiB)/);
    await page.getByRole("link", { name: "cached words" }).click();
    assert.equal((await rows(page, "blocks")).length, 3);

    // Executors: two workers with their pids and task counts (2 failed attempts in all).
    await page.goto(`${url}/executors/`);
    const xs = await rows(page, "executors");
    assert.equal(xs.length, 2, xs.join("\n"));
    let completed = 0;
    let failedTasks = 0;
    for (const x of xs) {
      const c = x.split(" | ");
      assert.match(c[1]!, /^\d+$/);
      assert.equal(c[2], "Active");
      failedTasks += Number(c[4]);
      completed += Number(c[5]);
    }
    assert.equal(failedTasks, 2);
    assert.equal(completed, 3 + 3 + 3 + 3 + 1); // shuffle map + reduce, two counts, one good partition of the failed job

    // Environment: effective settings, defaults included.
    await page.goto(`${url}/environment/`);
    const props = await rows(page, "properties");
    assert.ok(props.includes("tspark.master | local[2]"), props.join("\n"));
    assert.ok(props.includes("tspark.task.maxFailures | 2"));
    assert.ok(props.includes("tspark.worker.memory | 512m"));

    // Live: the open jobs page shows a job that runs after it was loaded.
    await page.goto(`${url}/jobs/`);
    app.child.stdin.write("more\n");
    await app.next(/^late 4950$/);
    await page.locator("table#jobs").getByText("late job").waitFor({ timeout: 15_000 });

    app.child.stdin.end("stop\n");
    await app.next(/^stopped$/);
    assert.equal(await app.exited, 0, app.stderr());
    await assert.rejects(fetch(`${url}/jobs/`)); // the UI stopped with the context

    // History: the directory's applications listed, each with the same pages from its event log.
    const logs = readdirSync(events);
    assert.equal(logs.length, 1);
    // A second application's log: one that crashed at once (no end).
    writeFileSync(join(events, "local-1000"), `${JSON.stringify({ event: "applicationStart", time: 1000, appId: "local-1000", appName: "earlier app", user: "u", master: "local[1]", version: "0" })}\n`);
    history = start(["history", "--port", "0", events]);
    await history.next(/^tspark history: 2 applications from .* \(1 without an end/);
    const [, haccess, hurl] = await history.next(/serving at ((http:\/\/127\.0\.0\.1:\d+)\/\?token=[\w-]+)/);
    await page.goto(haccess!);
    const apps = await rows(page, "applications");
    assert.equal(apps.length, 2);
    assert.match(apps[0]!, new RegExp(`^${logs[0]} \\| ui <e2e> \\|.*COMPLETE`));
    assert.match(apps[1]!, /^local-1000 \| earlier app \|.*INCOMPLETE/);
    await page.getByRole("link", { name: logs[0]! }).click();
    await page.waitForURL(`${hurl}/history/${logs[0]}/jobs/`);
    assert.match(await page.locator(".banner").innerText(), /History of ui <e2e>/);
    const hjobs = await rows(page, "jobs");
    assert.equal(hjobs.length, 5);
    assert.match(hjobs[0]!, /late job/);
    assert.match(hjobs[1]!, /parse the numbers.*FAILED/s);
    // The tabs and links stay within the application's pages.
    await page.getByRole("link", { name: "Stages", exact: true }).click();
    await page.waitForURL(`${hurl}/history/${logs[0]}/stages/`);
    assert.equal((await rows(page, "stages")).length, 6);
    await page.getByRole("link", { name: "Executors", exact: true }).click();
    assert.match((await rows(page, "executors"))[0]!, /Dead \(stopped with the context\)/);
    const apiApps = (await page.evaluate(async () => (await fetch("/api/v1/applications")).json())) as Array<{ id: string }>;
    assert.deepEqual(apiApps.map((a) => a.id).sort(), [logs[0]!, "local-1000"].sort());
    await page.getByRole("link", { name: "All applications" }).click();
    await page.waitForURL(`${hurl}/`);
    history.child.kill("SIGINT");
    assert.equal(await history.exited, 0, history.stderr());
  } finally {
    await browser.close();
    app.child.kill("SIGKILL");
    history?.child.kill("SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a driver killed outright: `tspark history` still shows what its event log holds", { timeout: 60_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), "tspark-ui-e2e-"));
  const events = join(tmp, "events");
  const app = start(["--master", "local[2]", "--conf", "tspark.ui.enabled=false", "--conf", "tspark.eventLog.enabled=true", "--conf", `tspark.eventLog.dir=${events}`, "--conf", "tspark.task.maxFailures=1", "test/e2e/programs/ui-app.ts"]);
  let history: ReturnType<typeof start> | undefined;
  try {
    await app.next(/^UI undefined$/);
    // The log is written once per tick: wait until the four jobs' ends are in it, then kill.
    const log = () => (existsSync(events) && readdirSync(events).length ? readFileSync(join(events, readdirSync(events)[0]!), "utf8") : "");
    while ((log().match(/"event":"jobEnd"/g) ?? []).length < 4) await new Promise((r) => setTimeout(r, 20));
    app.child.kill("SIGKILL");
    await app.exited;
    history = start(["history", "--port", "0", join(events, readdirSync(events)[0]!)]);
    const [summary] = await history.next(/^tspark history: .* events from .*/);
    assert.match(summary!, /the log has no application end/);
    const [, access] = await history.next(/serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/);
    const jobs = await (await fetch(access!.replace("/?token=", "/jobs/?token="))).text();
    assert.match(jobs, /class="banner">History of ui &lt;e2e&gt;.*the log has no application end/);
    assert.equal((jobs.match(/<td class="ok">SUCCEEDED<\/td>/g) ?? []).length, 3);
    assert.match(jobs, /<td class="bad">FAILED<\/td>/);
    history.child.kill("SIGTERM");
    assert.equal(await history.exited, 0, history.stderr());
  } finally {
    app.child.kill("SIGKILL");
    history?.child.kill("SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("`tspark history` usage errors and a missing or foreign log are clear errors", async () => {
  const run = async (args: string[]) => {
    const p = start(args);
    return { code: await p.exited, stderr: p.stderr() };
  };
  const none = await run(["history"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /expected one event log file or directory[\s\S]*Usage: tspark history/);
  const missing = await run(["history", "/nonexistent/tspark-events"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no event log at \/nonexistent\/tspark-events/);
  const foreign = await run(["history", join(ROOT, "package.json")]);
  assert.equal(foreign.code, 1);
  assert.match(foreign.stderr, /is not a tspark event log/);
});

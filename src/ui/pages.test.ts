/**
 * Pages rendered from a store: a large stage's task table is paged, and user text is
 * escaped wherever it appears.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { AppStatusStore } from "./status-store.js";
import { stagePage, jobsPage, errorSummary, TASKS_PER_PAGE } from "./pages.js";
import { escapeHtml, html } from "./html.js";

function bigStage(n: number): AppStatusStore {
  const s = new AppStatusStore();
  s.apply({ event: "applicationStart", time: 1, appId: "local-1", appName: "<img src=x onerror=alert(1)>", user: "u", master: "local", version: "0" });
  s.apply({ event: "jobStart", time: 1, jobId: 0, name: "count at a.ts:1", description: "</td><script>x()</script>", group: undefined });
  s.apply({ event: "stageSubmitted", time: 1, stageId: 0, jobId: 0, name: "count at a.ts:1", numTasks: n });
  for (let i = 0; i < n; i++) s.apply({ event: "taskStart", time: 2, taskId: i, stageId: 0, partition: i, attempt: 0, executorId: "0" });
  return s;
}

const rowsOf = (page: string) => (page.slice(page.indexOf('<table id="tasks">')).match(/<tr><td>\d+<\/td>/g) ?? []).length;

test("a stage's task table is paged; pages out of range show the nearest one", () => {
  const n = 2 * TASKS_PER_PAGE + 7;
  const store = bigStage(n);
  const first = stagePage({ store, live: true, base: "/" }, 0)!;
  assert.equal(rowsOf(first), TASKS_PER_PAGE);
  assert.match(first, new RegExp(`Tasks \\(${n}\\)`));
  assert.match(first, /Page 1 of 3 <a href="stages\/stage\/\?id=0&amp;page=2">next<\/a>/);
  const last = stagePage({ store, live: true, base: "/" }, 0, 3)!;
  assert.equal(rowsOf(last), 7);
  assert.match(last, /Page 3 of 3 <a href="[^"]*page=2">previous<\/a><\/p>/);
  assert.equal(rowsOf(stagePage({ store, live: true, base: "/" }, 0, 99)!), 7);
  assert.equal(rowsOf(stagePage({ store, live: true, base: "/" }, 0, Number("x"))!), TASKS_PER_PAGE);
  assert.ok(!stagePage({ store: bigStage(3), live: true, base: "/" }, 0)!.includes("Page 1 of"), "one page: no pager");
});

test("app names and job descriptions are escaped", () => {
  const page = jobsPage({ store: bigStage(1), live: false, base: "/" });
  assert.ok(page.includes(escapeHtml("<img src=x onerror=alert(1)>")));
  assert.ok(page.includes("&lt;/td&gt;&lt;script&gt;x()&lt;/script&gt;"));
  assert.ok(!page.includes("<script>x()") && !page.includes("<img"));
  assert.equal(html`<b>${"<i>"}</b>${html`<u>ok</u>`}${["&", 1]}`.text, "<b>&lt;i&gt;</b><u>ok</u>&amp;1");
});

test("lists show an error in one line that includes the user's message, not only its introduction", () => {
  const failure = "Job 3 failed: task for partition 1 of stage 4 failed 2 times; most recent failure (attempt 1):\n  Error: bad record <x13>\n    at parse (file:///app/job.ts:7:11)";
  assert.equal(errorSummary(failure), "Job 3 failed: task for partition 1 of stage 4 failed 2 times; most recent failure (attempt 1): Error: bad record <x13>");
  assert.equal(errorSummary("Job 2 cancelled: part of cancelled job group g"), "Job 2 cancelled: part of cancelled job group g");
  assert.equal(errorSummary(undefined), "");
});

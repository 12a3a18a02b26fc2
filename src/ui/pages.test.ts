/**
 * Pages rendered from a store: a large stage's task table is paged, and user text is
 * escaped wherever it appears.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { AppStatusStore } from "./status-store.js";
import { stagePage, jobsPage, jobPage, errorSummary, TASKS_PER_PAGE } from "./pages.js";
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

test("a stage's summary metrics: min, quartiles and max over its successful tasks; metrics no task has are left out", () => {
  const s = bigStage(6);
  const metrics = (ms: number, read: number) => ({ durationMs: ms, recordsIn: 10, bytesIn: 0, recordsOut: 1, resultBytes: 8, shuffleReadBytes: read, shuffleWriteBytes: 0, spills: 0, spillBytes: 0, peakRssBytes: 0, broadcastBytesRead: 0 });
  // Five successes of 100..500 ms, and a failure of 9 s that the summary leaves out.
  [100, 400, 200, 500, 300].forEach((ms, i) => s.apply({ event: "taskEnd", time: 3, taskId: i, stageId: 0, partition: i, attempt: 0, executorId: "0", status: "SUCCESS", metrics: metrics(ms, 2048 * (i + 1)), error: undefined }));
  s.apply({ event: "taskEnd", time: 3, taskId: 5, stageId: 0, partition: 5, attempt: 0, executorId: "0", status: "FAILED", metrics: metrics(9000, 0), error: "boom" });
  const page = stagePage({ store: s, live: false, base: "/" }, 0)!;
  const summary = page.slice(page.indexOf('<table id="summary">'), page.indexOf("</table>", page.indexOf('<table id="summary">')));
  assert.match(page, /Summary metrics for 5 completed tasks/);
  assert.match(summary, /<td>Duration<\/td><td class="n">100 ms<\/td><td class="n">200 ms<\/td><td class="n">300 ms<\/td><td class="n">400 ms<\/td><td class="n">500 ms<\/td>/);
  assert.match(summary, /<td>Shuffle read<\/td><td class="n">2\.0 KiB<\/td>.*<td class="n">10\.0 KiB<\/td><\/tr>/);
  assert.match(summary, /<td>Input records<\/td>(<td class="n">10<\/td>){5}/);
  assert.doesNotMatch(summary, /Shuffle write|Spill|Input size/, "no task has them");
});

test("the jobs and job pages draw an event timeline: a bar per job or stage, executors added and removed", () => {
  const s = bigStage(1);
  s.apply({ event: "executorAdded", time: 1, executorId: "0", pid: 42 });
  s.apply({ event: "jobStart", time: 500, jobId: 1, name: "collect at b.ts:2", description: undefined, group: undefined });
  s.apply({ event: "jobEnd", time: 1500, jobId: 1, result: "FAILED", error: "boom" });
  const jobs = jobsPage({ store: s, live: false, base: "/" });
  const svg = jobs.slice(jobs.indexOf('<svg id="timeline"'), jobs.indexOf("</svg>"));
  assert.equal((svg.match(/<rect /g) ?? []).length, 2, "one bar per job");
  assert.match(svg, /<a href="jobs\/job\/\?id=1">.*fill="#d9534f"><title>Job 1: collect at b\.ts:2: FAILED, 1\.0 s<\/title>/s);
  assert.match(svg, /Job 0: &lt;\/td&gt;&lt;script&gt;/, "user text escaped");
  assert.match(svg, /<circle [^>]*><title>executor 0 \(pid 42\) added<\/title>/);
  const job = jobPage({ store: s, live: false, base: "/" }, 0)!;
  assert.match(job, /<svg id="timeline"[\s\S]*<a href="stages\/stage\/\?id=0">[\s\S]*Stage 0: count at a\.ts:1/);
});

test("a job's page draws its DAG: a box per stage (linked when it ran, grey when skipped), its RDDs, an arrow per dependency", () => {
  const s = new AppStatusStore();
  s.apply({ event: "applicationStart", time: 1, appId: "local-1", appName: "a", user: "u", master: "local", version: "0" });
  const dag = {
    nodes: [
      { id: 0, label: "ParallelCollectionRDD[0] parallelize at a.ts:1", stage: 3 },
      { id: 1, label: "PipelinedRDD[1] map at a.ts:2", stage: 3 },
      { id: 2, label: "ShuffledRDD[2] reduceByKey <x> at a.ts:3", stage: "result" as const },
      { id: 3, label: "TextFileRDD[3] textFile at a.ts:4", stage: 4 },
    ],
    edges: [[0, 1], [1, 2], [3, 2]] as Array<[number, number]>,
  };
  s.apply({ event: "jobStart", time: 2, jobId: 0, name: "collect at a.ts:5", description: undefined, group: undefined, dag });
  s.apply({ event: "stageSubmitted", time: 2, stageId: 10, jobId: 0, name: "reduceByKey at a.ts:3", numTasks: 2, shuffleId: 3 });
  s.apply({ event: "stageSubmitted", time: 3, stageId: 11, jobId: 0, name: "collect at a.ts:5", numTasks: 2 });
  const page = jobPage({ store: s, live: false, base: "/" }, 0)!;
  const svg = page.slice(page.indexOf('<svg id="dag"'), page.indexOf("</svg>", page.indexOf('<svg id="dag"')));
  assert.equal((svg.match(/<g class="stage">/g) ?? []).length, 3);
  assert.match(svg, /<a href="stages\/stage\/\?id=10"><text[^>]*>Stage 10<\/text><\/a>/);
  assert.match(svg, /<a href="stages\/stage\/\?id=11"><text[^>]*>Stage 11<\/text><\/a>/);
  assert.match(svg, /stroke-dasharray="4 3"\/><text[^>]*>skipped<\/text>/, "shuffle 4's map stage did not run in this job");
  assert.equal((svg.match(/<g class="rdd">/g) ?? []).length, 4);
  assert.match(svg, /<title>ShuffledRDD\[2\] reduceByKey &lt;x&gt; at a\.ts:3<\/title>/);
  assert.equal((svg.match(/<line /g) ?? []).length, 3);
});

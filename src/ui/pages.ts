/**
 * The web UI's pages, rendered on the server from the status store: plain HTML tables,
 * one small stylesheet, no client framework. A live application's pages carry a tiny
 * script that reloads the page when the store's revision changes (something happened).
 */
import { html, raw, type Html } from "./html.js";
import type { AppStatusStore, StageRow, TaskRow, IoTotals, JobRow } from "./status-store.js";
import type { TaskEndMetrics } from "../scheduler/listener-bus.js";
import { timelineSvg, type TimelineMark } from "./timeline.js";
import { dagSvg } from "./dag-view.js";
import type { ReplayedLog } from "./event-log.js";
import type { OutputStream } from "../backend/worker-process.js";
import { formatBytes, formatDuration } from "../util/format.js";

export interface PageContext {
  store: AppStatusStore;
  /** Live pages refresh themselves; history pages do not. */
  live: boolean;
  /** A notice shown on every page (e.g. "replayed from <file>; the log is incomplete"). */
  banner?: string | undefined;
  /** Where the application's pages are served ("/", or "/history/<appId>/" by the history server): links are relative to it. */
  base: string;
  /** A live application's executor logs (the Executors page links them); none in history. */
  logs?: ((executorId: string, stream: OutputStream) => readonly string[]) | undefined;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
nav{background:#26323d;color:#fff;padding:8px 16px;display:flex;gap:18px;align-items:baseline}
nav a{color:#cfe3f5;text-decoration:none}nav a.on{color:#fff;font-weight:600;border-bottom:2px solid #f6a623}
nav .app{margin-left:auto;color:#aab}main{padding:12px 16px}
h1{font-size:20px;margin:4px 0 10px}h2{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;margin:4px 0 12px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.t{white-space:nowrap}
body{display:inline-block;min-width:100%}
.ok{color:#2a7d2a}.bad{color:#b00020;font-weight:600}.run{color:#1764b3}
pre.err{margin:0;white-space:pre-wrap;max-width:60em;color:#b00020;font-size:12px}
.banner{background:#fff4d6;border:1px solid #e6c66b;padding:6px 10px;margin-bottom:10px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}dd{margin:0}
`;

const REFRESH = (rev: number) =>
  raw(`<script>(()=>{const rev=${rev};setInterval(async()=>{try{const r=await fetch('api/v1/revision');if((await r.json()).revision!==rev)location.reload()}catch{}},1000)})()</script>`);

const TABS = [
  ["jobs", "Jobs"],
  ["stages", "Stages"],
  ["storage", "Storage"],
  ["executors", "Executors"],
  ["environment", "Environment"],
] as const;

export type Tab = (typeof TABS)[number][0];

/** A whole page: the document, its links relative to `base`, the navigation bar, a banner and the titled body. */
function document(p: { title: string; base: string; nav: Html; banner: string | undefined; heading: string; body: Html; tail?: Html }): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><base href="${p.base}"><title>${p.title} - tspark UI</title><style>${raw(CSS)}</style></head>
<body><nav><strong>tspark</strong>${p.nav}</nav>
<main>${p.banner ? html`<div class="banner">${p.banner}</div>` : ""}<h1>${p.heading}</h1>
${p.body}</main>${p.tail ?? ""}</body></html>`.text;
}

function layout(ctx: PageContext, tab: Tab, title: string, body: Html): string {
  const app = ctx.store.app;
  const nav = html`${ctx.base === "/" ? "" : html`<a href="/">All applications</a>`}${TABS.map(([id, label]) => html`<a href="${id}/"${raw(id === tab ? ' class="on"' : "")}>${label}</a>`)}<span class="app">${app?.appName ?? ""} (${app?.appId ?? "?"})</span>`;
  return document({ title: `${title} - ${app?.appName ?? "tspark"}`, base: ctx.base, nav, banner: ctx.banner, heading: title, body, tail: ctx.live ? REFRESH(ctx.store.revision) : html`` });
}

const time = (t: number | undefined) => (t === undefined ? "" : new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, ""));
const duration = (start: number | undefined, end: number | undefined) => (start === undefined ? "" : formatDuration((end ?? Date.now()) - start));
const bytes = (n: number) => (n === 0 ? "" : formatBytes(n));
const recBytes = (records: number, b: number) => (records === 0 && b === 0 ? "" : `${records} / ${formatBytes(b)}`);

function statusCell(status: string): Html {
  const cls = status === "SUCCEEDED" || status === "COMPLETE" || status === "SUCCESS" ? "ok" : status === "FAILED" ? "bad" : status === "RUNNING" || status === "ACTIVE" ? "run" : "";
  return html`<td class="${cls}">${status}</td>`;
}

/**
 * An error in one line for a list: its first line and, when that only introduces the cause
 * ("...; most recent failure (attempt 2):"), the cause's first line, the user's message.
 */
export function errorSummary(s: string | undefined): string {
  if (s === undefined) return "";
  const [first, ...rest] = s.split("\n");
  if (!first!.trimEnd().endsWith(":")) return first!;
  const cause = rest.map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("at "));
  return cause === undefined ? first! : `${first!.trimEnd()} ${cause}`;
}

// ---- jobs ----

function jobTasks(store: AppStatusStore, j: JobRow): { done: number; total: number; failed: number } {
  let done = 0;
  let total = 0;
  let failed = 0;
  for (const id of j.stageIds) {
    const s = store.stages.get(id);
    if (!s) continue;
    done += s.completedTasks;
    total += s.numTasks;
    failed += s.failedTasks;
  }
  return { done, total, failed };
}

function jobTable(store: AppStatusStore, jobs: JobRow[]): Html {
  if (jobs.length === 0) return html`<p>No jobs yet.</p>`;
  return html`<table id="jobs"><thead><tr><th>Job Id</th><th>Description</th><th>Submitted</th><th>Duration</th><th>Stages: Succeeded/Total</th><th>Tasks: Succeeded/Total</th><th>Status</th><th>Error</th></tr></thead><tbody>
${jobs.map((j) => {
  const t = jobTasks(store, j);
  const doneStages = j.stageIds.filter((id) => store.stages.get(id)?.status === "COMPLETE").length;
  return html`<tr><td>${j.jobId}</td><td><a href="jobs/job/?id=${j.jobId}">${j.description ?? j.name}</a>${j.description ? html`<br><small>${j.name}</small>` : ""}</td><td class="t">${time(j.submissionTime)}</td><td class="n">${duration(j.submissionTime, j.completionTime)}</td><td class="n">${doneStages}/${j.stageIds.length}</td><td class="n">${t.done}/${t.total}${t.failed ? html` <span class="bad">(${t.failed} failed)</span>` : ""}</td>${statusCell(j.status)}<td>${errorSummary(j.error)}</td></tr>\n`;
})}</tbody></table>`;
}

/** Jobs shown on the timeline: the newest, so that it stays readable. */
const TIMELINE_JOBS = 40;

function jobsTimeline(store: AppStatusStore, ended: number | undefined): Html {
  const jobs = [...store.jobs.values()].slice(-TIMELINE_JOBS);
  const marks: TimelineMark[] = [];
  for (const x of store.executors.values()) {
    marks.push({ time: x.addTime, label: `executor ${x.executorId} (pid ${x.pid})`, kind: "added" });
    if (x.removeTime !== undefined) marks.push({ time: x.removeTime, label: `executor ${x.executorId} (${x.removeReason ?? "removed"})`, kind: "removed" });
  }
  return timelineSvg(jobs.map((j) => ({ label: `Job ${j.jobId}: ${j.description ?? j.name}`, href: `jobs/job/?id=${j.jobId}`, start: j.submissionTime, end: j.completionTime, status: j.status })), marks, ended ?? Date.now());
}

export function jobsPage(ctx: PageContext): string {
  const { store } = ctx;
  const app = store.app;
  const jobs = [...store.jobs.values()].reverse();
  const count = (s: string) => jobs.filter((j) => j.status === s).length;
  const body = html`<dl><dt>User</dt><dd>${app?.user}</dd><dt>Master</dt><dd>${app?.master}</dd><dt>Started</dt><dd>${time(app?.startTime)}</dd><dt>${app?.endTime ? "Ran for" : "Uptime"}</dt><dd>${duration(app?.startTime, app?.endTime)}</dd>
<dt>Jobs</dt><dd>${count("RUNNING")} running, ${count("SUCCEEDED")} succeeded, ${count("FAILED")} failed</dd></dl>
${jobsTimeline(store, app?.endTime)}
${jobTable(store, jobs)}`;
  return layout(ctx, "jobs", "Jobs", body);
}

export function jobPage(ctx: PageContext, jobId: number): string | undefined {
  const j = ctx.store.jobs.get(jobId);
  if (!j) return undefined;
  const stages = j.stageIds.map((id) => ctx.store.stages.get(id)).filter((s): s is StageRow => s !== undefined);
  const body = html`<dl><dt>Name</dt><dd>${j.name}</dd>${j.description ? html`<dt>Description</dt><dd>${j.description}</dd>` : ""}${j.group ? html`<dt>Job group</dt><dd>${j.group}</dd>` : ""}
<dt>Status</dt><dd>${j.status}</dd><dt>Submitted</dt><dd>${time(j.submissionTime)}</dd><dt>Duration</dt><dd>${duration(j.submissionTime, j.completionTime)}</dd></dl>
${j.error ? html`<h2>Error</h2><pre class="err">${j.error}</pre>` : ""}
${j.dag ? dagSvg(j.dag, new Map(stages.map((s) => [s.shuffleId ?? "result", { stageId: s.stageId, status: s.status }]))) : ""}
${timelineSvg(stages.map((s) => ({ label: `Stage ${s.stageId}: ${s.name}`, href: `stages/stage/?id=${s.stageId}`, start: s.submissionTime, end: s.completionTime, status: s.status })), [], j.completionTime ?? Date.now())}
<h2>Stages</h2>${stageTable(stages)}`;
  return layout(ctx, "jobs", `Job ${j.jobId}`, body);
}

// ---- stages ----

function stageTable(stages: StageRow[]): Html {
  if (stages.length === 0) return html`<p>No stages yet.</p>`;
  return html`<table id="stages"><thead><tr><th>Stage Id</th><th>Job</th><th>Description</th><th>Submitted</th><th>Duration</th><th>Tasks: Succeeded/Total</th><th>Input</th><th>Output</th><th>Shuffle Read</th><th>Shuffle Write</th><th>Spill</th><th>Status</th><th>Failure Reason</th></tr></thead><tbody>
${stages.map((s) => html`<tr><td>${s.stageId}</td><td><a href="jobs/job/?id=${s.jobId}">${s.jobId}</a></td><td><a href="stages/stage/?id=${s.stageId}">${s.name}</a></td><td class="t">${time(s.submissionTime)}</td><td class="n">${duration(s.submissionTime, s.completionTime)}</td>
<td class="n">${s.completedTasks}/${s.numTasks}${s.activeTasks ? html` <span class="run">(${s.activeTasks} running)</span>` : ""}${s.failedTasks ? html` <span class="bad">(${s.failedTasks} failed)</span>` : ""}</td>
<td class="n">${bytes(s.totals.bytesIn)}</td><td class="n">${bytes(s.totals.resultBytes)}</td><td class="n">${bytes(s.totals.shuffleReadBytes)}</td><td class="n">${bytes(s.totals.shuffleWriteBytes)}</td><td class="n">${bytes(s.totals.spillBytes)}</td>${statusCell(s.status)}<td>${errorSummary(s.failureReason)}</td></tr>\n`)}</tbody></table>`;
}

export function stagesPage(ctx: PageContext): string {
  const stages = [...ctx.store.stages.values()].reverse();
  return layout(ctx, "stages", "Stages", stageTable(stages));
}

function totalsList(t: IoTotals): Html {
  return html`<dt>Task time</dt><dd>${formatDuration(t.durationMs)}</dd><dt>Input</dt><dd>${recBytes(t.recordsIn, t.bytesIn) || "none"}</dd><dt>Output</dt><dd>${recBytes(t.recordsOut, t.resultBytes) || "none"}</dd>
<dt>Shuffle read</dt><dd>${formatBytes(t.shuffleReadBytes)}</dd><dt>Shuffle write</dt><dd>${formatBytes(t.shuffleWriteBytes)}</dd><dt>Spill</dt><dd>${formatBytes(t.spillBytes)}</dd>`;
}

function taskRow(t: TaskRow): Html {
  const m = t.metrics;
  return html`<tr><td>${t.taskId}</td><td>${t.partition}</td><td>${t.attempt}${t.speculative ? " (speculative)" : ""}</td><td>${t.executorId}</td>${statusCell(t.status)}<td class="t">${time(t.launchTime)}</td>
<td class="n">${m ? formatDuration(m.durationMs) : duration(t.launchTime, t.finishTime)}</td><td class="n">${m ? recBytes(m.recordsIn, m.bytesIn) : ""}</td><td class="n">${m ? recBytes(m.recordsOut, m.resultBytes) : ""}</td>
<td class="n">${m ? bytes(m.shuffleReadBytes) : ""}</td><td class="n">${m ? bytes(m.shuffleWriteBytes) : ""}</td><td class="n">${m ? bytes(m.spillBytes) : ""}</td><td>${t.error ? html`<pre class="err">${t.error}</pre>` : ""}</td></tr>\n`;
}

/** The value at quantile q of sorted values (the nearest rank, as Spark's stage summaries). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]!;
}

const QUANTILES = [0, 0.25, 0.5, 0.75, 1];

/**
 * Spark's "Summary Metrics for N Completed Tasks": min, quartiles and max of each metric over
 * the stage's successful task attempts; a metric no task has (no shuffle read, say) is left out.
 */
export function summaryMetrics(tasks: Iterable<TaskRow>): Html {
  const done = [...tasks].filter((t) => t.status === "SUCCESS" && t.metrics).map((t) => t.metrics!);
  if (done.length === 0) return html``;
  const rows: Array<[string, (m: TaskEndMetrics) => number, (n: number) => string, boolean]> = [
    ["Duration", (m) => m.durationMs, formatDuration, true],
    ["Input records", (m) => m.recordsIn, String, false],
    ["Input size", (m) => m.bytesIn, formatBytes, false],
    ["Output records", (m) => m.recordsOut, String, false],
    ["Result size", (m) => m.resultBytes, formatBytes, false],
    ["Shuffle read", (m) => m.shuffleReadBytes, formatBytes, false],
    ["Shuffle write", (m) => m.shuffleWriteBytes, formatBytes, false],
    ["Spill (disk)", (m) => m.spillBytes, formatBytes, false],
    ["Peak RSS of the worker", (m) => m.peakRssBytes, formatBytes, false],
  ];
  const shown = rows
    .map(([name, of, format, always]) => ({ name, format, values: done.map(of).sort((a, b) => a - b), always }))
    .filter((r) => r.always || r.values[r.values.length - 1]! > 0);
  return html`<h2>Summary metrics for ${done.length} completed task${done.length === 1 ? "" : "s"}</h2>
<table id="summary"><thead><tr><th>Metric</th><th>Min</th><th>25th percentile</th><th>Median</th><th>75th percentile</th><th>Max</th></tr></thead><tbody>
${shown.map((r) => html`<tr><td>${r.name}</td>${QUANTILES.map((q) => html`<td class="n">${r.format(quantile(r.values, q))}</td>`)}</tr>\n`)}</tbody></table>`;
}

/** The accumulators the stage's tasks added to, with their values after its latest addition (Spark's stage "Accumulators" table). */
function accumulatorTable(accumulators: ReadonlyMap<number, string>): Html {
  if (accumulators.size === 0) return html``;
  return html`<h2>Accumulators</h2><table id="accumulators"><thead><tr><th>Accumulator</th><th>Value</th></tr></thead><tbody>
${[...accumulators].sort((a, b) => a[0] - b[0]).map(([id, value]) => html`<tr><td>${id}</td><td><code>${value}</code></td></tr>\n`)}</tbody></table>`;
}

/** Task rows per stage page: a stage of 10,000 tasks stays a fast page that reloads every second. */
export const TASKS_PER_PAGE = 500;

export function stagePage(ctx: PageContext, stageId: number, pageNo = 1): string | undefined {
  const s = ctx.store.stages.get(stageId);
  if (!s) return undefined;
  const all = [...s.tasks.values()].sort((a, b) => a.taskId - b.taskId);
  const pages = Math.max(1, Math.ceil(all.length / TASKS_PER_PAGE));
  const p = Math.min(Math.max(1, Math.floor(pageNo) || 1), pages);
  const tasks = all.slice((p - 1) * TASKS_PER_PAGE, p * TASKS_PER_PAGE);
  const link = (n: number, label: string) => html` <a href="stages/stage/?id=${s.stageId}&amp;page=${n}">${label}</a>`;
  const pager = pages === 1 ? "" : html`<p class="pager">Page ${p} of ${pages}${p > 1 ? link(p - 1, "previous") : ""}${p < pages ? link(p + 1, "next") : ""}</p>`;
  const body = html`<dl><dt>Description</dt><dd>${s.name}</dd><dt>Job</dt><dd><a href="jobs/job/?id=${s.jobId}">${s.jobId}</a></dd><dt>Status</dt><dd>${s.status}</dd>
<dt>Submitted</dt><dd>${time(s.submissionTime)}</dd><dt>Duration</dt><dd>${duration(s.submissionTime, s.completionTime)}</dd>
<dt>Tasks</dt><dd>${s.completedTasks}/${s.numTasks} succeeded, ${s.activeTasks} running, ${s.failedTasks} failed, ${s.killedTasks} killed</dd>${totalsList(s.totals)}</dl>
${s.failureReason ? html`<h2>Failure reason</h2><pre class="err">${s.failureReason}</pre>` : ""}
${summaryMetrics(s.tasks.values())}
${accumulatorTable(s.accumulators)}
<h2>Tasks (${all.length})</h2>${s.droppedTasks ? html`<p>The ${s.droppedTasks} oldest finished tasks are not kept (a stage keeps its newest task rows only); the counts above include them.</p>` : ""}${pager}
<table id="tasks"><thead><tr><th>Task Id</th><th>Partition</th><th>Attempt</th><th>Executor</th><th>Status</th><th>Launch Time</th><th>Duration</th><th>Input: Records / Bytes</th><th>Output: Records / Bytes</th><th>Shuffle Read</th><th>Shuffle Write</th><th>Spill</th><th>Error</th></tr></thead>
<tbody>${tasks.map(taskRow)}</tbody></table>`;
  return layout(ctx, "stages", `Stage ${s.stageId}`, body);
}

// ---- storage ----

export function storagePage(ctx: PageContext): string {
  const { store } = ctx;
  const totals = new Map(store.blocks.storageInfo().map((i) => [i.rddId, i]));
  const rdds = [...store.rdds.values()];
  const body = rdds.length === 0
    ? html`<p>No RDDs are persisted.</p>`
    : html`<table id="rdds"><thead><tr><th>RDD Id</th><th>Name</th><th>Storage Level</th><th>Cached Partitions</th><th>Fraction Cached</th><th>Size in Memory</th><th>Size on Disk</th></tr></thead><tbody>
${rdds.map((r) => {
  const t = totals.get(r.rddId);
  const cached = t?.cachedPartitions ?? 0;
  return html`<tr><td>${r.rddId}</td><td><a href="storage/rdd/?id=${r.rddId}">${r.name}</a></td><td>${r.storageLevel}</td><td class="n">${cached}/${r.numPartitions}</td><td class="n">${r.numPartitions ? Math.round((100 * cached) / r.numPartitions) : 0}%</td><td class="n">${formatBytes(t?.memoryBytes ?? 0)}</td><td class="n">${formatBytes(t?.diskBytes ?? 0)}</td></tr>\n`;
})}</tbody></table>`;
  return layout(ctx, "storage", "Storage", body);
}

export function rddPage(ctx: PageContext, rddId: number): string | undefined {
  const r = ctx.store.rdds.get(rddId);
  if (!r) return undefined;
  const blocks = ctx.store.blocks.blocksOf(rddId);
  const body = html`<dl><dt>Storage level</dt><dd>${r.storageLevel}</dd><dt>Cached partitions</dt><dd>${blocks.length}/${r.numPartitions}</dd></dl>
<table id="blocks"><thead><tr><th>Block</th><th>Partition</th><th>Executor</th><th>Stored in</th><th>Size</th></tr></thead><tbody>
${blocks.map((b) => html`<tr><td>${b.blockId}</td><td>${b.partition}</td><td>${b.executorId}</td><td>${b.memory ? "Memory" : "Disk"}</td><td class="n">${formatBytes(b.bytes)}</td></tr>\n`)}</tbody></table>`;
  return layout(ctx, "storage", `RDD ${r.rddId}: ${r.name}`, body);
}

// ---- executors ----

export function executorsPage(ctx: PageContext): string {
  const { store } = ctx;
  const memoryByExecutor = new Map<string, number>();
  for (const r of store.rdds.values()) {
    for (const b of store.blocks.blocksOf(r.rddId)) if (b.memory) memoryByExecutor.set(b.executorId, (memoryByExecutor.get(b.executorId) ?? 0) + b.bytes);
  }
  const xs = [...store.executors.values()];
  const body = html`<table id="executors"><thead><tr><th>Executor Id</th><th>PID</th><th>Status</th><th>Active Tasks</th><th>Failed Tasks</th><th>Completed Tasks</th><th>Task Time</th><th>Input</th><th>Shuffle Read</th><th>Shuffle Write</th><th>Storage Memory</th><th>Peak RSS</th><th>Added</th>${ctx.logs ? html`<th>Logs</th>` : ""}</tr></thead><tbody>
${xs.map((x) => html`<tr><td>${x.executorId}</td><td>${x.pid}</td>${x.removeTime === undefined ? html`<td class="ok">Active</td>` : html`<td>Dead (${x.removeReason})</td>`}<td class="n">${x.activeTasks}</td><td class="n">${x.failedTasks}</td><td class="n">${x.completedTasks}</td>
<td class="n">${formatDuration(x.totals.durationMs)}</td><td class="n">${formatBytes(x.totals.bytesIn)}</td><td class="n">${formatBytes(x.totals.shuffleReadBytes)}</td><td class="n">${formatBytes(x.totals.shuffleWriteBytes)}</td><td class="n">${formatBytes(memoryByExecutor.get(x.executorId) ?? 0)}</td><td class="n">${x.peakRssBytes ? formatBytes(x.peakRssBytes) : ""}</td><td class="t">${time(x.addTime)}</td>${ctx.logs ? html`<td><a href="executors/logs/?id=${x.executorId}&amp;stream=stdout">stdout</a> <a href="executors/logs/?id=${x.executorId}&amp;stream=stderr">stderr</a></td>` : ""}</tr>\n`)}</tbody></table>`;
  return layout(ctx, "executors", "Executors", body);
}

/** The newest lines an executor's worker wrote to one of its streams (console.log in its tasks goes to stdout). */
export function executorLogPage(ctx: PageContext, executorId: string, stream: OutputStream, lines: readonly string[]): string {
  const other = stream === "stdout" ? "stderr" : "stdout";
  const body = html`<p>The newest ${lines.length} line${lines.length === 1 ? "" : "s"} the driver keeps of executor ${executorId}'s ${stream}. <a href="executors/logs/?id=${executorId}&amp;stream=${other}">${other}</a></p>
<pre id="log">${lines.join("\n")}</pre>`;
  return layout(ctx, "executors", `Executor ${executorId}: ${stream}`, body);
}

// ---- environment ----

function pairs(id: string, rows: Array<[string, string]>): Html {
  return html`<table id="${id}"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${rows.map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>\n`)}</tbody></table>`;
}

export function environmentPage(ctx: PageContext): string {
  const body = html`<h2>Runtime</h2>${pairs("runtime", ctx.store.runtime)}<h2>tspark properties</h2>${pairs("properties", ctx.store.config)}`;
  return layout(ctx, "environment", "Environment", body);
}

/** Shown to a peer without the access token: it names nothing of the application. */
export function unauthorizedPage(): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Access token needed - tspark UI</title><style>${raw(CSS)}</style></head>
<body><nav><strong>tspark</strong></nav><main><h1>Access token needed</h1>
<p>This tspark UI answers only peers that present its application's access token. Open the address the application printed: <code>sc.uiWebUrl</code>, the shell's banner, or the "serving at" line of <code>tspark history</code> (it ends in <code>/?token=…</code>).</p></main></body></html>`.text;
}

export function notFoundPage(ctx: PageContext, what: string): string {
  return layout(ctx, "jobs", "Not found", html`<p>${what}</p>`);
}

/** An application whose event log the history server serves. */
export type LoggedApp = ReplayedLog;

/** The history server's first page: every application in the log directory, newest first, as Spark's history server lists them. */
export function historyPage(apps: LoggedApp[], banner: string): string {
  const rows = [...apps].sort((a, b) => (b.store.app?.startTime ?? 0) - (a.store.app?.startTime ?? 0));
  const body = rows.length === 0
    ? html`<p>No event logs.</p>`
    : html`<table id="applications"><thead><tr><th>App ID</th><th>App Name</th><th>Started</th><th>Completed</th><th>Duration</th><th>User</th><th>Status</th><th>Events</th><th>Event log</th></tr></thead><tbody>
${rows.map(({ store, path, events, incomplete }) => {
  const a = store.app!;
  return html`<tr><td><a href="history/${encodeURIComponent(a.appId)}/jobs/">${a.appId}</a></td><td>${a.appName}</td><td class="t">${time(a.startTime)}</td><td class="t">${time(a.endTime)}</td><td class="n">${a.endTime === undefined ? "" : duration(a.startTime, a.endTime)}</td><td>${a.user}</td>${statusCell(incomplete ? "INCOMPLETE" : "COMPLETE")}<td class="n">${events}</td><td>${path}</td></tr>\n`;
})}</tbody></table>`;
  return document({ title: "History", base: "/", nav: html`<a href="/" class="on">All applications</a>`, banner, heading: "Applications", body });
}

/**
 * The web UI over HTTP, after real jobs: every page and API endpoint, escaping of user
 * text, 404s, port fallback, the events a job posts, the UI and event log stopping with
 * the context, and history pages rendered from the log matching the live ones.
 */
import test from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import http from "node:http";
import { mkdtempSync, rmSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SparkContext } from "../index.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import { WebUi } from "./web-ui.js";
import { AppStatusStore } from "./status-store.js";
import { replayEventLog } from "./event-log.js";
import { stagePage, type LoggedApp } from "./pages.js";
import type { TsparkEvent } from "../scheduler/listener-bus.js";

/** The access token `get` presents (as an Authorization header), when the UI wants one. */
let bearer: string | undefined;

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; cookie: string | null }> {
  const r = await fetch(url, { headers: bearer === undefined ? headers : { authorization: `Bearer ${bearer}`, ...headers } });
  return { status: r.status, type: r.headers.get("content-type") ?? "", body: await r.text(), cookie: r.headers.get("set-cookie") };
}

/** The HTML of the element with this id (tables), for comparing live and replayed pages. */
function tableOf(page: string, id: string): string {
  const start = page.indexOf(`<table id="${id}">`);
  assert.ok(start >= 0, `no table ${id}`);
  return page.slice(start, page.indexOf("</table>", start));
}

// First in this file: it checks that nothing before it loaded the server library.
test("the UI listens at once but loads its server library only when a page is asked for (not on the start-up path)", async () => {
  const cache = createRequire(import.meta.url).cache;
  const fastifyLoaded = () => Object.keys(cache).some((p) => p.includes(`${"/node_modules/"}fastify/`));
  const sc = new SparkContext({ master: "local[1]", conf: { "tspark.ui.port": 0 } });
  try {
    assert.equal(await sc.range(3).count(), 3);
    assert.ok(sc.uiWebUrl, "the address is known once an action ran");
    assert.equal(fastifyLoaded(), false, "an application nobody looks at does not load fastify");
    const access = new URL(sc.uiWebUrl!);
    const r = await fetch(`${access.origin}/jobs/`, { headers: { authorization: `Bearer ${access.searchParams.get("token")}` } });
    assert.equal(r.status, 200);
    assert.match(await r.text(), /Jobs/);
    assert.equal(fastifyLoaded(), true);
  } finally {
    await sc.stop();
  }
});

test("every page and API endpoint after real jobs, with user text escaped; the UI and event log stop with the context", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-ui-test-"));
  const sc = new SparkContext({
    master: "local[2]",
    appName: "ui <b>test</b>",
    conf: { "tspark.ui.port": 0, "tspark.eventLog.enabled": true, "tspark.eventLog.dir": dir, "tspark.task.maxFailures": 1 },
  });
  try {
    const events: TsparkEvent[] = [];
    runtimeOf(sc).addListener((e) => events.push(e));
    runtimeOf(sc).addListener(() => {
      throw new Error("a broken listener");
    });
    const cached = sc.parallelize([1, 2, 3, 4, 5, 6], 3).map((x) => x * 10).setName("tens <cached>").cache();
    assert.equal(await cached.sum(), 210, "a throwing listener does not break the job");
    const access = sc.uiWebUrl!;
    assert.match(access, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{24}$/);
    const url = new URL(access).origin;
    bearer = new URL(access).searchParams.get("token")!;
    const jobEvents = events.filter((e) => e.event !== "blockUpdated" && e.event !== "rddPersisted" && e.event !== "executorAdded").map((e) => e.event);
    assert.deepEqual(jobEvents.slice(0, 2), ["jobStart", "stageSubmitted"]);
    assert.deepEqual(jobEvents.slice(-2), ["stageCompleted", "jobEnd"]);
    assert.deepEqual([...jobEvents.slice(2, -2)].sort(), [...Array(3).fill("taskEnd"), ...Array(3).fill("taskStart")]);
    for (const e of events) {
      if (e.event === "taskEnd") assert.ok(events.indexOf(e) > events.findIndex((s) => s.event === "taskStart" && s.taskId === e.taskId), "a task starts before it ends");
    }
    await assert.rejects(sc.parallelize([1, 2], 2).map((x) => {
      if (x === 2) throw new Error("<script>alert(1)</script> went wrong");
      return x;
    }).collect());

    const jobs = await get(`${url}/jobs/`);
    assert.equal(jobs.status, 200);
    assert.match(jobs.type, /text\/html/);
    assert.ok(jobs.body.includes("ui &lt;b&gt;test&lt;/b&gt;"), "the app name is escaped");
    assert.ok(!jobs.body.includes("<script>alert"), "no user markup gets through");
    assert.match(jobs.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; went wrong|Job 1 failed/);
    assert.match(jobs.body, /1 failed/);
    assert.match(jobs.body, /<td class="ok">SUCCEEDED<\/td>/);
    assert.match(jobs.body, /<td class="bad">FAILED<\/td>/);

    const job = await get(`${url}/jobs/job/?id=1`);
    assert.match(job.body, /<pre class="err">Job 1 failed: [^<]*\n\s+Error: &lt;script&gt;alert\(1\)&lt;\/script&gt; went wrong/);

    const stages = await get(`${url}/stages/`);
    assert.equal(stages.status, 200);
    assert.equal((tableOf(stages.body, "stages").match(/<tr>/g) ?? []).length, 3, "header + 2 stages");
    const stage = await get(`${url}/stages/stage/?id=1`);
    assert.match(stage.body, /1\/2 succeeded, 0 running, 1 failed, 0 killed/);
    assert.match(stage.body, /<td class="bad">FAILED<\/td>/);
    assert.match(stage.body, /<pre class="err">Error: &lt;script&gt;alert\(1\)&lt;\/script&gt; went wrong/);
    const stage0 = await get(`${url}/stages/stage/?id=0`);
    assert.match(tableOf(stage0.body, "tasks"), /<td class="n">2 \/ \d+ B<\/td>/, "records and bytes in per task");

    const storage = await get(`${url}/storage/`);
    assert.match(storage.body, /tens &lt;cached&gt;<\/a><\/td><td>Memory[^<]*<\/td><td class="n">3\/3<\/td><td class="n">100%<\/td>/);
    const rdd = await get(`${url}/storage/rdd/?id=${cached.id}`);
    assert.equal((tableOf(rdd.body, "blocks").match(/rdd_\d+_\d/g) ?? []).length, 3);

    const executors = await get(`${url}/executors/`);
    for (const pid of sc.workerPids()) assert.ok(executors.body.includes(`<td>${pid}</td>`), `worker ${pid} listed`);
    const environment = await get(`${url}/environment/`);
    assert.ok(environment.body.includes("<td>tspark.task.maxFailures</td><td>1</td>"));
    assert.ok(environment.body.includes("<td>tspark.storage.memory</td><td>256m</td>"), "defaults shown");

    for (const missing of ["/jobs/job/?id=99", "/stages/stage/?id=99", "/storage/rdd/?id=99", "/api/v1/applications/nope/jobs"]) assert.equal((await get(url + missing)).status, 404, missing);
    assert.equal((await get(url + "/")).status, 200, "/ leads to the jobs page");

    const appId = sc.applicationId;
    const apps = JSON.parse((await get(`${url}/api/v1/applications`)).body) as Array<{ id: string; name: string }>;
    assert.deepEqual(apps.map((a) => [a.id, a.name]), [[appId, "ui <b>test</b>"]]);
    const apiJobs = JSON.parse((await get(`${url}/api/v1/applications/${appId}/jobs`)).body) as Array<{ status: string }>;
    assert.deepEqual(apiJobs.map((j) => j.status), ["SUCCEEDED", "FAILED"]);
    const apiStage = JSON.parse((await get(`${url}/api/v1/applications/${appId}/stages/1`)).body) as { tasks: Array<{ status: string }> };
    assert.deepEqual(apiStage.tasks.map((t) => t.status).sort(), ["FAILED", "SUCCESS"]);
    const apiRdds = JSON.parse((await get(`${url}/api/v1/applications/${appId}/storage/rdd`)).body) as Array<{ cachedPartitions: number }>;
    assert.equal(apiRdds[0]!.cachedPartitions, 3);
    const apiExec = JSON.parse((await get(`${url}/api/v1/applications/${appId}/executors`)).body) as unknown[];
    assert.equal(apiExec.length, 2);
    const env = JSON.parse((await get(`${url}/api/v1/applications/${appId}/environment`)).body) as { properties: Array<[string, string]> };
    assert.ok(env.properties.some(([k, v]) => k === "tspark.master" && v === "local[2]"));

    const liveStage = stage.body;
    await sc.stop();
    await assert.rejects(fetch(`${url}/jobs/`), "the UI is closed");
    assert.equal(sc.uiWebUrl, undefined);

    const logs = readdirSync(dir);
    assert.deepEqual(logs, [appId]);
    const replayed = replayEventLog(join(dir, appId));
    assert.equal(replayed.incomplete, false);
    assert.equal(replayed.badLines, 0);
    const historyStage = stagePage({ store: replayed.store, live: false, base: "/" }, 1)!;
    assert.equal(tableOf(historyStage, "tasks"), tableOf(liveStage, "tasks"), "history renders what the live UI showed");
  } finally {
    bearer = undefined;
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the UI answers only peers with the application's access token: in the address, then a cookie, or a bearer header", async () => {
  const sc = new SparkContext({ master: "local[1]", appName: "secret app", conf: { "tspark.ui.port": 0, "tspark.executorEnv.AWS_SECRET_ACCESS_KEY": "hunter2", "my.db.password": "swordfish" } });
  try {
    assert.equal(await sc.range(3).count(), 3);
    const access = new URL(sc.uiWebUrl!);
    const token = access.searchParams.get("token")!;
    const origin = access.origin;
    for (const path of ["/jobs/", "/api/v1/applications", "/stages/stage/?id=0"]) {
      const bare = await get(`${origin}${path}`);
      assert.equal(bare.status, 401, path);
      assert.ok(!bare.body.includes("secret app"), "a refused peer learns nothing of the application");
      assert.equal((await get(`${origin}${path}`, { authorization: "Bearer wrong" })).status, 401);
      assert.equal((await get(`${origin}${path}`, { authorization: `Bearer ${token}` })).status, 200, path);
    }
    assert.equal((await get(`${origin}/jobs/?token=${token.slice(1)}x`)).status, 401, "a wrong token in the address");
    const opened = await get(`${origin}/jobs/?token=${token}`);
    assert.equal(opened.status, 200);
    const port = access.port;
    assert.match(opened.cookie ?? "", new RegExp(`^tspark_ui_token_${port}=${token}; HttpOnly; SameSite=Strict; Path=/$`));
    const withCookie = await get(`${origin}/stages/`, { cookie: `other=1; tspark_ui_token_${port}=${token}` });
    assert.equal(withCookie.status, 200);
    assert.match(withCookie.body, /secret app/);
    const environment = await get(`${origin}/environment/`, { authorization: `Bearer ${token}` });
    assert.match(environment.body, /AWS_SECRET_ACCESS_KEY/);
    assert.ok(!environment.body.includes("hunter2") && !environment.body.includes("swordfish"), "secret values are redacted");
    assert.match(environment.body, /\*{9}\(redacted\)/);
    assert.equal((await get(`${origin}/stages/`, { cookie: `tspark_ui_token_1=${token}` })).status, 401, "another UI's cookie is not this one's");
    for (const target of ["//", "//[", `//[?token=${token}`]) {
      const status = await new Promise<number>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port: Number(port), path: target }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on("error", reject);
      });
      assert.ok(status === 401 || status === 404, `${target}: ${status}, not a server error`);
    }
  } finally {
    await sc.stop();
  }
  const open = new SparkContext({ master: "local[1]", conf: { "tspark.ui.port": 0, "tspark.ui.authenticate": false } });
  try {
    await open.range(1).count();
    assert.match(open.uiWebUrl!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await get(`${open.uiWebUrl}/jobs/`)).status, 200, "tspark.ui.authenticate=false: no token");
  } finally {
    await open.stop();
  }
});

test("tspark.ui.enabled=false: no server, uiWebUrl undefined; a bad port is a clear error", async () => {
  const sc = new SparkContext({ master: "local[1]", conf: { "tspark.ui.enabled": false } });
  try {
    assert.equal(await sc.range(3).count(), 3);
    assert.equal(sc.uiWebUrl, undefined);
  } finally {
    await sc.stop();
  }
  assert.throws(() => new SparkContext({ master: "local[1]", conf: { "tspark.ui.port": "http" } }), /tspark\.ui\.port must be a port number/);
  assert.throws(() => new SparkContext({ master: "local[1]", conf: { "tspark.ui.enabled": "yes" } }), /tspark\.ui\.enabled must be true or false/);
});

test("a stage's page shows the accumulators its tasks added to, with their values; the API gives them as accumulatorUpdates", async () => {
  const sc = new SparkContext({ master: "local[2]", conf: { "tspark.ui.port": 0 } });
  try {
    const count = sc.accumulator(0);
    const tags = sc.accumulator<string[]>([], { zero: () => [], addInPlace: (a, b) => [...a, ...b].sort() });
    await sc.parallelize([1, 2, 3, 4], 2).foreach((x) => {
      count.add(x);
      tags.add([`<t${x}>`]);
    });
    const url = new URL(sc.uiWebUrl!);
    const token = url.searchParams.get("token")!;
    const stageId = Math.max(...(JSON.parse((await get(`${url.origin}/api/v1/applications/${sc.applicationId}/stages`, { authorization: `Bearer ${token}` })).body) as Array<{ stageId: number }>).map((s) => s.stageId));
    const page = (await get(`${url.origin}/stages/stage/?id=${stageId}`, { authorization: `Bearer ${token}` })).body;
    const table = page.slice(page.indexOf('<table id="accumulators">'), page.indexOf("</table>", page.indexOf('<table id="accumulators">')));
    assert.match(table, new RegExp(`<tr><td>${count.id}</td><td><code>10</code></td></tr>`));
    assert.match(table, new RegExp(`<tr><td>${tags.id}</td><td><code>\\[ &#39;&lt;t1&gt;&#39;, &#39;&lt;t2&gt;&#39;, &#39;&lt;t3&gt;&#39;, &#39;&lt;t4&gt;&#39; \\]</code>`), "shown as text, escaped");
    const api = JSON.parse((await get(`${url.origin}/api/v1/applications/${sc.applicationId}/stages/${stageId}`, { authorization: `Bearer ${token}` })).body) as { accumulatorUpdates: Array<{ id: number; value: string }> };
    assert.deepEqual(api.accumulatorUpdates.find((a) => a.id === count.id), { id: count.id, value: "10" });
  } finally {
    await sc.stop();
  }
});

test("each executor's stdout and stderr (console output of its tasks) have a page, linked from the Executors page", async () => {
  const sc = new SparkContext({ master: "local[1]", conf: { "tspark.ui.port": 0 } });
  try {
    await sc.parallelize(["a <x>", "b"], 1).foreach((s) => {
      console.log(`out ${s}`);
      console.error(`err ${s}`);
    });
    const url = new URL(sc.uiWebUrl!);
    const auth = { authorization: `Bearer ${url.searchParams.get("token")!}` };
    const executors = (await get(`${url.origin}/executors/`, auth)).body;
    const id = /<a href="executors\/logs\/\?id=(\d+)&amp;stream=stdout">stdout<\/a>/.exec(executors)?.[1];
    assert.ok(id !== undefined, "the Executors page links the logs");
    // The worker's lines reach the driver through a pipe: wait for them.
    let out = "";
    for (let i = 0; i < 100 && !out.includes("out b"); i++) {
      out = (await get(`${url.origin}/executors/logs/?id=${id}&stream=stdout`, auth)).body;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(out, /<pre id="log">(.*\n)*out a &lt;x&gt;\nout b<\/pre>/);
    assert.doesNotMatch(out, /err a/);
    assert.match((await get(`${url.origin}/executors/logs/?id=${id}&stream=stderr`, auth)).body, /err a &lt;x&gt;\nerr b/);
    assert.equal((await get(`${url.origin}/executors/logs/?id=99&stream=stdout`, auth)).status, 404);
  } finally {
    await sc.stop();
  }
});

test("the history server of a directory lists every application, and serves each one's pages and API under its id", async () => {
  const appOf = (appId: string, name: string, ended: boolean, jobs: number): LoggedApp => {
    const store = new AppStatusStore();
    store.apply({ event: "applicationStart", time: 1000, appId, appName: name, user: "u", master: "local", version: "0" });
    for (let j = 0; j < jobs; j++) store.apply({ event: "jobStart", time: 1100, jobId: j, name: `count at ${name}.ts:${j}`, description: undefined, group: undefined });
    if (ended) store.apply({ event: "applicationEnd", time: 5000 });
    return { store, path: `/logs/${appId}`, events: 2, badLines: 0, incomplete: !ended };
  };
  const ui = await WebUi.start([appOf("local-1", "first", true, 2), appOf("local-2", "second <b>", false, 1)], { host: "127.0.0.1", port: 0, live: false, banner: "History from /logs" });
  try {
    const list = await get(`${ui.url}/`);
    assert.equal(list.status, 200);
    assert.equal((list.body.match(/<tr><td><a href="history\//g) ?? []).length, 2);
    assert.match(list.body, /<a href="history\/local-1\/jobs\/">local-1<\/a><\/td><td>first<\/td>.*COMPLETE/);
    assert.match(list.body, /second &lt;b&gt;.*INCOMPLETE/);
    const jobs = await get(`${ui.url}/history/local-2/jobs/`);
    assert.match(jobs.body, /<base href="\/history\/local-2\/">/);
    assert.match(jobs.body, /History of second &lt;b&gt; \(local-2\) from \/logs\/local-2; the log has no application end/);
    assert.match(jobs.body, /count at second &lt;b&gt;\.ts:0/);
    assert.doesNotMatch(jobs.body, /first\.ts/);
    assert.match((await get(`${ui.url}/history/local-1/`)).body, /<base href="\/history\/local-1\/">[\s\S]*count at first\.ts:1/, "an application's root leads to its jobs");
    assert.equal((await get(`${ui.url}/history/local-9/jobs/`)).status, 404);
    const apps = JSON.parse((await get(`${ui.url}/api/v1/applications`)).body) as Array<{ id: string; attempts: Array<{ completed: boolean }> }>;
    assert.deepEqual(apps.map((a) => [a.id, a.attempts[0]!.completed]), [["local-1", true], ["local-2", false]]);
    assert.equal((JSON.parse((await get(`${ui.url}/api/v1/applications/local-1/jobs`)).body) as unknown[]).length, 2);
    assert.equal((await get(`${ui.url}/api/v1/applications/local-9/jobs`)).status, 404);
  } finally {
    await ui.close();
  }
});

test("a taken port: the UI takes the next free one", async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const taken = (blocker.address() as net.AddressInfo).port;
  const store = new AppStatusStore();
  store.apply({ event: "applicationStart", time: 1, appId: "local-1", appName: "a", user: "u", master: "local", version: "0" });
  const ui = await WebUi.start(store, { host: "127.0.0.1", port: taken, live: false, banner: "History <of> a" });
  try {
    const port = Number(new URL(ui.url).port);
    assert.notEqual(port, taken);
    const page = await get(`${ui.url}/jobs/`);
    assert.match(page.body, /No jobs yet/);
    assert.ok(page.body.includes('<div class="banner">History &lt;of&gt; a</div>'));
    assert.ok(!page.body.includes("/api/v1/revision"), "history pages do not refresh themselves");
  } finally {
    await ui.close();
    blocker.close();
  }
});

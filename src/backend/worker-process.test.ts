/**
 * The driver/worker handshake: a worker of another tspark version is refused at start,
 * with both versions named; what a worker loads before it says hello.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { WorkerProcess } from "./worker-process.js";

// Idle workers do not hold the event loop open (by design); the tests hold it while they wait.
const hold = setInterval(() => {}, 1000);
test.after(() => clearInterval(hold));

test("a worker that reports another tspark version is refused", async () => {
  // Preloaded into the worker: package.json reads report version 0.0.0-other.
  const patch = `
    import fs from "node:fs";
    import { syncBuiltinESMExports } from "node:module";
    const read = fs.readFileSync;
    fs.readFileSync = function (p, ...rest) {
      const out = read.call(this, p, ...rest);
      return String(p).endsWith("package.json") ? JSON.stringify({ ...JSON.parse(String(out)), version: "0.0.0-other" }) : out;
    };
    syncBuiltinESMExports();`;
  const w = new WorkerProcess({ executorId: "t", nodeArgs: ["--import", `data:text/javascript,${encodeURIComponent(patch)}`], env: process.env, echo: () => {}, heartbeatTimeoutMs: 30_000 });
  await assert.rejects(w.ready(), /worker runs tspark 0\.0\.0-other but the driver runs \d+\.\d+\.\d+/);
  await w.shutdown(500);
  assert.equal(w.alive, false);
});

test("a matching worker says hello and shuts down on request", async () => {
  const w = new WorkerProcess({ executorId: "ok", nodeArgs: [], env: process.env, echo: () => {}, heartbeatTimeoutMs: 30_000 });
  await w.ready();
  assert.equal(w.isReady, true);
  await w.shutdown();
  assert.equal(w.alive, false);
});

test("a starting worker does not load the libraries only some tasks need (globs, gzip)", async () => {
  // A module hook in the worker reports every ES module it resolves on its stderr, and at
  // exit the worker lists the CommonJS modules it loaded (lazy loads use require).
  const hook = `data:text/javascript,${encodeURIComponent("export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('RESOLVED ' + r.url + '\\n'); return r; }")}`;
  const register = `import { register, createRequire } from "node:module"; register(${JSON.stringify(hook)});
    const cache = createRequire("/").cache;
    process.on("exit", () => { for (const f of Object.keys(cache)) process.stderr.write("RESOLVED " + f + "\\n"); process.stderr.write("LISTED\\n"); });`;
  const lines: string[] = [];
  const w = new WorkerProcess({ executorId: "mods", nodeArgs: ["--import", `data:text/javascript,${encodeURIComponent(register)}`], env: process.env, echo: (l) => lines.push(l), heartbeatTimeoutMs: 30_000 });
  await w.ready();
  await w.shutdown();
  for (let waited = 0; !lines.includes("LISTED") && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.ok(lines.includes("LISTED"), "the worker listed its CommonJS modules at exit");
  const loaded = lines.filter((l) => l.startsWith("RESOLVED "));
  assert.ok(loaded.some((l) => l.includes("/worker/task-runner.js")), "the hook saw the worker's modules");
  assert.deepEqual(loaded.filter((l) => /\/node_modules\/(tinyglobby|fdir|picomatch|fflate)\//.test(l)), []);
});

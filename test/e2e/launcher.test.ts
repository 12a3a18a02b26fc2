/**
 * End-to-end: the launcher's options and their precedence, through real programs.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { alive, waitUntil } from "../../src/testing/processes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const REPORT = join(ROOT, "test", "e2e", "programs", "launcher-report.ts");

function tspark(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function report(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}, what: string[] = []) {
  const r = tspark([...args, REPORT, ...what], options);
  assert.equal(r.code, 0, r.stderr);
  return { ...(JSON.parse(r.stdout.trim().split("\n").pop()!) as { conf: string; driverHeapMb: number; workerHeapMb?: number; files?: string[] }), stderr: r.stderr };
}

function withTempDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "tspark-launcher-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test("precedence: command line > properties file ($TSPARK_CONF_DIR) > TSPARK_MASTER; toDebugString shows the result", withTempDir((dir) => {
  writeFileSync(join(dir, "tspark-defaults.conf"), "# site defaults\ntspark.master local[1]\ntspark.app.name=from-file\nspark.custom.a file\ntspark.custom.b file\n");
  const env = { TSPARK_CONF_DIR: dir, TSPARK_MASTER: "local[3]" };
  const fromFile = report([], { env });
  assert.deepEqual(fromFile.conf.split("\n"), ["tspark.app.name=from-file", "tspark.custom.a=file", "tspark.custom.b=file", "tspark.master=local[1]"]);
  // Quiet by default (warnings and errors only): here, that the two keys are read by nothing of tspark's.
  assert.deepEqual(
    fromFile.stderr.trim().split("\n").map((l) => l.replace(/^\S+ \S+ /, "")),
    ["tspark.custom.a", "tspark.custom.b"].map((k) => `WARN config: ${k}: unknown setting, ignored (tspark --help lists the settings; spark.* keys other than those go to Spark only when Spark runs the jobs)`),
  );
  const cli = report(["--name", "from-cli", "--conf", "tspark.custom.b=cli", "--verbose"], { env });
  assert.deepEqual(cli.conf.split("\n"), ["tspark.app.name=from-cli", "tspark.custom.a=file", "tspark.custom.b=cli", "tspark.master=local[1]"]);
  assert.match(cli.stderr, new RegExp(`properties file: ${join(dir, "tspark-defaults.conf")}`));
  assert.match(cli.stderr, /tspark\.custom\.b=cli {2}\(--conf\)/);
  assert.match(cli.stderr, /tspark\.master=local\[1\] {2}\(.*tspark-defaults\.conf:2\)/);
  assert.equal(report([], { env: { TSPARK_MASTER: "local[3]" } }).conf, "tspark.master=local[3]");
}));

test("conf/tspark-defaults.conf in the working directory is read when present; --properties-file replaces it", withTempDir((dir) => {
  spawnSync("mkdir", [join(dir, "conf")]);
  writeFileSync(join(dir, "conf", "tspark-defaults.conf"), "tspark.custom.where cwd\n");
  writeFileSync(join(dir, "other.conf"), "tspark.custom.where other\n");
  assert.equal(report([], { cwd: dir }).conf, "tspark.custom.where=cwd");
  assert.equal(report(["--properties-file", "other.conf"], { cwd: dir }).conf, "tspark.custom.where=other");
}));

test("--driver-memory sets the driver's heap before it starts; --executor-memory the workers'", () => {
  const r = report(["--master", "local[1]", "--driver-memory", "200m", "--executor-memory", "160m"], {}, ["worker-heap"]);
  assert.ok(r.driverHeapMb >= 200 && r.driverHeapMb < 300, `driver heap ${r.driverHeapMb} MB`);
  assert.ok(r.workerHeapMb! >= 160 && r.workerHeapMb! < 260, `worker heap ${r.workerHeapMb} MB`);
  assert.match(r.conf, /tspark\.driver\.memory=200m/);
  assert.match(r.conf, /tspark\.executor\.memory=160m/);
});

test("a tspark --driver-memory started by a program that itself runs with --driver-memory gets its own heap", () => {
  const r = report(["--master", "local[1]", "--driver-memory", "300m"], {}, ["nested"]) as ReturnType<typeof report> & { nestedDriverHeapMb: number };
  assert.ok(r.driverHeapMb >= 300 && r.driverHeapMb < 400, `outer driver heap ${r.driverHeapMb} MB`);
  assert.ok(r.nestedDriverHeapMb >= 120 && r.nestedDriverHeapMb < 220, `nested driver heap ${r.nestedDriverHeapMb} MB`);
});

test("killing the launcher of a --driver-memory run leaves no driver, worker or temporary directory", async () => {
  const child = spawn(process.execPath, [CLI, "--driver-memory", "256m", "test/e2e/programs/long-job.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  assert.ok(await waitUntil(() => /pids [\d,]+\n/.test(out), 20_000), "program started");
  const workers = /pids ([\d,]+)/.exec(out)![1]!.split(",").map(Number);
  const driver = Number(readFileSync(`/proc/${workers[0]}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
  assert.notEqual(driver, child.pid, "the driver runs in a child with the bigger heap");
  child.kill("SIGKILL");
  assert.ok(await waitUntil(() => !alive(driver) && workers.every((p) => !alive(p)), 10_000), "driver and workers gone");
  const localDir = /localDir (\S+)/.exec(out)![1]!;
  assert.ok(await waitUntil(() => !existsSync(localDir), 5000), "temporary directory removed");
});

test("--files are there for every task, as with addFile", withTempDir((dir) => {
  writeFileSync(join(dir, "a.txt"), "A");
  writeFileSync(join(dir, "b.txt"), "B");
  const r = report(["--master", "local[2]", "--files", `${join(dir, "a.txt")},${join(dir, "b.txt")}`], {}, ["files"]);
  assert.deepEqual(r.files, ["A", "B"]);
}));

test("logging is quiet by default; tspark.log.level lowers it, and each line says its time, level and source", () => {
  const r = report(["--conf", "tspark.log.level=INFO"], {}, ["worker-heap"]);
  assert.match(r.stderr, /^\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d INFO context: Started SparkContext local-\d+ \(app "tspark"/m);
  assert.match(r.stderr, /^\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d INFO scheduler: Job 0 finished: collect at .*launcher-report\.ts:\d+, took [\d.]+ s$/m);
});

test("no progress bar when stderr is not a terminal", withTempDir((dir) => {
  const r = tspark(["test/e2e/programs/held-stage.ts", join(dir, "go"), "1200"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /done 4/);
  assert.doesNotMatch(r.stderr, /Stage/);
}));

test("unknown options and malformed values: a clear message and exit code 2, nothing run", withTempDir((dir) => {
  const cases: Array<[string[], RegExp]> = [
    [["--bogus", REPORT], /Unknown option '--bogus'/],
    [["--driver-memory", "lots", REPORT], /--driver-memory: not a size: "lots"/],
    [["--executor-memory", "1x", REPORT], /--executor-memory: not a size: "1x"/],
    [["--master", "mars://host:7077", REPORT], /--master: unsupported master "mars:\/\/host:7077"/],
    [["--conf", "tspark.master", REPORT], /--conf expects key=value, got "tspark\.master"/],
    [["--properties-file", join(dir, "none.conf"), REPORT], /--properties-file: .*none\.conf does not exist/],
    [["--files", join(dir, "none.txt"), REPORT], /--files: file not found/],
    [["--master"], /argument missing/],
  ];
  for (const [args, message] of cases) {
    const r = tspark(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Run 'tspark --help' for the options/);
    assert.equal(r.stdout, "");
  }
}));

test("--help lists the options, environment variables and configuration keys; --version the version", () => {
  const help = tspark(["--help"]);
  assert.equal(help.code, 0);
  for (const option of ["--master", "--name", "--conf", "--properties-file", "--driver-memory", "--executor-memory", "--files", "--verbose", "--help", "--version", "TSPARK_MASTER", "TSPARK_CONF_DIR", "tspark.ui.showConsoleProgress", "tspark.log.level"]) {
    assert.ok(help.stdout.includes(option), option);
  }
  const version = tspark(["--version"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `tspark ${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version}\n`);
});

import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { USAGE, parseLaunchArgs, type LaunchPlan } from "./launch-options.js";

function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tspark-launch-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const values = (plan: LaunchPlan) => Object.fromEntries([...plan.settings].map(([k, s]) => [k, s.value]));
const sources = (plan: LaunchPlan) => Object.fromEntries([...plan.settings].map(([k, s]) => [k, s.source]));

test("options end at the program; its arguments are its own, even ones that look like options", () => {
  inTempDir((cwd) => {
    const plan = parseLaunchArgs(["--master", "local[2]", "--name=job", "app.ts", "--master", "x"], {}, cwd);
    assert.equal(plan.program, "app.ts");
    assert.deepEqual(plan.programArgs, ["--master", "x"]);
    assert.deepEqual(values(plan), { "tspark.master": "local[2]", "tspark.app.name": "job" });
    assert.equal(parseLaunchArgs([], {}, cwd).program, undefined, "no program: the shell");
  });
});

test("precedence: command line > properties file > TSPARK_MASTER; dedicated options win over --conf", () => {
  inTempDir((cwd) => {
    mkdirSync(join(cwd, "conf"));
    writeFileSync(join(cwd, "conf", "tspark-defaults.conf"), "# site defaults\nspark.master local[1]\ntspark.app.name from-file\ntspark.custom.a=file\ntspark.custom.b=file\n");
    const env = { TSPARK_MASTER: "local[3]" };
    const fileOnly = parseLaunchArgs([], env, cwd);
    assert.deepEqual(values(fileOnly), { "tspark.master": "local[1]", "tspark.app.name": "from-file", "tspark.custom.a": "file", "tspark.custom.b": "file" });
    assert.equal(sources(fileOnly)["tspark.master"], "conf/tspark-defaults.conf:2");
    const cli = parseLaunchArgs(["--conf", "tspark.custom.b=cli", "--conf", "tspark.master=local[4]", "--master", "local[2]"], env, cwd);
    assert.deepEqual(values(cli), { "tspark.master": "local[2]", "tspark.app.name": "from-file", "tspark.custom.a": "file", "tspark.custom.b": "cli" });
    assert.equal(sources(cli)["tspark.master"], "--master");
    rmSync(join(cwd, "conf"), { recursive: true });
    assert.deepEqual(values(parseLaunchArgs([], env, cwd)), { "tspark.master": "local[3]" }, "TSPARK_MASTER when nothing else sets it");
  });
});

test("the properties file: --properties-file, else $TSPARK_CONF_DIR/tspark-defaults.conf", () => {
  inTempDir((cwd) => {
    writeFileSync(join(cwd, "mine.conf"), "tspark.custom.x 1\n");
    mkdirSync(join(cwd, "etc"));
    writeFileSync(join(cwd, "etc", "tspark-defaults.conf"), "tspark.custom.y 2\n");
    assert.deepEqual(values(parseLaunchArgs(["--properties-file", "mine.conf"], { TSPARK_CONF_DIR: "etc" }, cwd)), { "tspark.custom.x": "1" });
    const fromDir = parseLaunchArgs([], { TSPARK_CONF_DIR: join(cwd, "etc") }, cwd);
    assert.deepEqual(values(fromDir), { "tspark.custom.y": "2" });
    assert.equal(fromDir.propertiesFile, join(cwd, "etc", "tspark-defaults.conf"));
    assert.throws(() => parseLaunchArgs(["--properties-file", "missing.conf"], {}, cwd), /--properties-file: missing\.conf does not exist/);
  });
});

test("memory options map to their keys; --files become absolute paths", () => {
  inTempDir((cwd) => {
    writeFileSync(join(cwd, "a.txt"), "a");
    writeFileSync(join(cwd, "b.txt"), "b");
    const plan = parseLaunchArgs(["--driver-memory", "1g", "--executor-memory", "512m", "--files", "a.txt", "--files", "b.txt"], {}, cwd);
    assert.deepEqual(values(plan), { "tspark.driver.memory": "1g", "tspark.executor.memory": "512m", "tspark.files": `${join(cwd, "a.txt")},${join(cwd, "b.txt")}` });
  });
});

test("bad usage is a clear error naming the option or the file line", () => {
  inTempDir((cwd) => {
    const bad = (args: string[], re: RegExp) => assert.throws(() => parseLaunchArgs(args, {}, cwd), re, args.join(" "));
    bad(["--bogus"], /Unknown option '--bogus'/);
    bad(["--master"], /--master <value>' argument missing/);
    bad(["--master", "mars://x"], /--master: unsupported master "mars:\/\/x"/);
    bad(["--driver-memory", "lots"], /--driver-memory: not a size: "lots"/);
    bad(["--executor-memory", "2 gigs"], /--executor-memory: not a size/);
    bad(["--conf", "novalue"], /--conf expects key=value, got "novalue"/);
    bad(["--conf", "tspark.log.level=LOUD"], /--conf: unknown log level "LOUD"/);
    bad(["--files", "nope.txt"], /--files: file not found: nope\.txt/);
    bad(["--name", ""], /--name must not be empty/);
    writeFileSync(join(cwd, "bad.conf"), "tspark.worker.memory huge\n");
    bad(["--properties-file", "bad.conf"], /bad\.conf:1: not a size: "huge"/);
    assert.equal(parseLaunchArgs(["--help", "--properties-file", "missing.conf"], {}, cwd).help, true, "--help needs nothing else to be right");
  });
});

test("the usage names the history server and Spark's masters", () => {
  assert.match(USAGE, /tspark history \[--port <n>\] <event-log-file\|directory>/);
  assert.match(USAGE, /spark:\/\/host:port, yarn/);
});

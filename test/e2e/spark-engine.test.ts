// The same program on tspark's engine and on Apache Spark (each pinned release, installed by
// scripts/install-spark.sh): the same output. On Spark, Spark schedules the tasks and its
// executors run tspark's worker; local-cluster mode gives separate executor JVMs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { testSparks } from "../../src/spark/testing/installed-spark.js";
import { waitUntil } from "../../src/testing/processes.js";
import { Terminal, assertBarDrawnThenCleared } from "./terminal.js";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");

function javaPids(): Set<string> {
  const r = spawnSync("pgrep", ["-f", "org.apache.spark"], { encoding: "utf8" });
  return new Set(r.stdout.split("\n").filter(Boolean));
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000, input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const local = (() => {
  let out: ReturnType<typeof run> | undefined;
  return () => (out ??= run(["--master", "local[2]", "test/e2e/programs/spark-narrow.ts"]));
})();

/** What test/e2e/programs/record-classes.ts prints on tspark's engine: every check true. */
const recordClassesLocal = (() => {
  let out: string | undefined;
  return () => {
    if (out === undefined) {
      const r = run(["--master", "local[2]", "test/e2e/programs/record-classes.ts"]);
      assert.equal(r.code, 0, r.stderr);
      out = r.stdout;
    }
    return out;
  };
})();

test("records keep their class on tspark's engine: the program's, a module's and a package's, across a shuffle, collect and a disk cache", () => {
  assert.deepEqual(recordClassesLocal().trim().split("\n"), [
    "collect: true 5, true 10, true 15, true 20",
    "groupByKey: [[0,[10,20]],[1,[5,15]]]",
    "module class: 0 true 1, 1 true 9",
    "package class from disk: 11 12 13 true",
    "unserializable: UNSERIALIZABLE true true",
  ]);
});

for (const s of testSparks()) {
  const env = s.spark ? { SPARK_HOME: s.spark.home } : {};
  // The newest release on separate executor JVMs; the older one in Spark's local mode (quicker).
  const master = s.version.startsWith("4.") ? ["--master", "local-cluster[2,1,1024]"] : ["--master", "local[2]", "--conf", "tspark.engine=spark"];

  test(`Spark ${s.version} (${master.join(" ")}): narrow transformations and actions print what tspark's engine prints, Spark writes the event log, and no JVM is left`, { skip: s.skip, timeout: 300_000 }, () => {
    const before = javaPids();
    const expected = local();
    assert.equal(expected.code, 0, expected.stderr);
    const events = join(mkdtempSync(join(tmpdir(), "tspark-spark-events-")), "made-by-tspark");
    try {
      // The directory as a file: URL, which Spark takes as it is (made by tspark: it does not exist yet).
      const r = run([...master, "--conf", "spark.ui.enabled=false", "--conf", "spark.eventLog.enabled=true", "--conf", `spark.eventLog.dir=${pathToFileURL(events).href}`, "--conf", "spark.eventLog.compress=false", "test/e2e/programs/spark-narrow.ts"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split("\n"), expected.stdout.split("\n"));
      assert.deepEqual([...javaPids()].filter((p) => !before.has(p)), []);
      // Spark's own event log, with its jobs and tasks, for Spark's history server.
      // (A file, or on 4.x a directory of rolled files.)
      const logs = readdirSync(events, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      const log = logs.map((e) => readFileSync(join(e.path, e.name), "utf8")).join("");
      for (const event of ["SparkListenerApplicationStart", "SparkListenerJobStart", "SparkListenerTaskEnd", "SparkListenerApplicationEnd"]) assert.ok(log.includes(`"Event":"${event}"`), event);
    } finally {
      rmSync(dirname(events), { recursive: true, force: true });
    }
  });

  test(`Spark ${s.version}: input through Spark's Hadoop readers, output through its committer; the application and web UI are Spark's from the constructor on`, { skip: s.skip, timeout: 300_000 }, () => {
    const r = run([...master, "--conf", "spark.ui.port=0", "--conf", "spark.task.maxFailures=1", "--conf", "tspark.log.level=INFO", "test/e2e/programs/spark-io.ts"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /the job's functions \(\d\.\d MiB\) travel as Spark broadcast \d+/);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      `applicationId "${master.includes("local-cluster[2,1,1024]") ? "app" : "local"}"`,
      "ui true",
      'bzip2 [100,"bz 0 é","bz 99 é"]',
      "wholeTextFiles [[true,101]]",
      "binaryFiles [[true,142,true]]",
      "file URL, glob [5000,5002]",
      "splits [4,5000]",
      'union of inputs ["b1","b2","b1","b2"]',
      'zipWithIndex [["b1",0],["b2",1]]',
      "coalesce of input [2,5000]",
      'zip of inputs [["b1",2],["b2",2]]',
      'input and a collection ["b1","b2","p"]',
      "bzip2 and a collection 101",
      "kinds of input mixed 101",
      'coalesce of bzip2 "INVALID_ARGUMENT"',
      "large closure [0,200000,400000]",
      'saved [["_SUCCESS","part-00000.gz","part-00001.gz","part-00002.gz","part-00003.gz"],["{\\"l\\":\\"line 1099\\"}","{\\"l\\":\\"line 1199\\"}"],50]',
      'existing output "OUTPUT_EXISTS"',
      'failed save "TASK_FAILED"',
      'failed save leaves "nothing"',
      'object file ["SEQ",[["k=bigint"],"1970-01-01T00:00:00.000Z",{"a":[1,null]}]]',
      'missing input "INPUT_NOT_FOUND"',
    ]);
  });

  test(`Spark ${s.version}: a worker sealed by Node's permission model (tspark's files and Spark's directories only) gets its input, broadcast values, the program's modules and added files through Spark`, { skip: s.skip, timeout: 300_000 }, () => {
    const local = mkdtempSync(join(tmpdir(), "tspark-sealed-"));
    try {
      // Spark's own directories under spark.local.dir (the driver's scratch directory, tspark-*,
      // is not among them), and the executors' working directories (their SparkFiles).
      const sparkDirs = ["spark-*", "executor-*", "blockmgr-*"].map((d) => join(local, d));
      const flags = [
        ...[join(ROOT, "dist", "*"), join(ROOT, "node_modules", "*"), join(ROOT, "package.json"), ...sparkDirs, join(s.spark!.home, "work", "*")].map((p) => `--allow-fs-read=${p}`),
        ...sparkDirs.map((p) => `--allow-fs-write=${p}`),
        // The worker daemon starts each worker (with these same flags).
        "--allow-child-process",
      ];
      const sealed = join(local, "sealed-worker.sh");
      writeFileSync(sealed, `#!/bin/sh\nexec ${[process.execPath, "--experimental-permission", ...flags, join(ROOT, "dist", "spark", "worker", "launcher.js")].map((a) => `'${a}'`).join(" ")} "$@"\n`, { mode: 0o755 });
      // Separate executor JVMs: in Spark's local mode the executor is the driver's JVM, which hands workers the driver's broadcast files.
      // The input too comes through Spark (the sealed worker may not read it: readLocalFiles off).
      const r = run(["--master", "local-cluster[2,1,1024]", "--conf", "spark.ui.enabled=false", "--conf", `spark.local.dir=${local}`, "--conf", "spark.task.maxFailures=1", "--conf", `tspark.spark.workerExec=${sealed}`, "--conf", "tspark.spark.readLocalFiles=false", "test/e2e/programs/spark-sealed.ts"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n"), [
        'driver\'s files ["ERR_ACCESS_DENIED"]',
        'input ["A","B","C"]',
        'broadcast ["one","two","one"]',
        "accumulator 3",
        'second broadcast ["made after the first job, 2"]',
        'module ["a!","b!"]',
        "added file [4]",
        "after destroy [24]",
      ]);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  test(`Spark ${s.version}: a throwing function names the user's line, before and after a shuffle; a worker killed in a map task is retried, its additions to accumulators counted once`, { skip: s.skip, timeout: 300_000 }, () => {
    // Separate executors for both releases: Spark's local mode tries a task once whatever spark.task.maxFailures says.
    const r = run(["--master", "local-cluster[2,1,1024]", "--conf", "spark.ui.enabled=false", "--conf", "spark.task.maxFailures=2", "test/e2e/programs/spark-failures.ts"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^narrow THREW TASK_FAILED: Job "collect at spark-failures\.ts:\d+" failed on Spark: .*\n  RangeError: not a number: "x3"\n\s+at parse \(.*spark-failures\.ts:7:\d+\)/m);
    assert.match(r.stdout, /^reduce side THREW TASK_FAILED: Job "collect at spark-failures\.ts:\d+" failed on Spark: .*\n  Error: sum too large: 4\n\s+at .*spark-failures\.ts:20:\d+/m);
    assert.match(r.stdout, /^killed map task \[\["a",4\],\["b",2\],\["c",4\]\]$/m);
    assert.match(r.stdout, /^map-side additions 4$/m, "the killed attempt's additions are not counted, the retry's are");
  });

  test(`Spark ${s.version} (${master.join(" ")}): workers start with the context on every executor and outlive their tasks (Spark's worker daemon): 48 tasks in a few processes, broadcasts and closures sent once serve later tasks, a failed task's worker is replaced, tspark.executor.memory bounds their heap`, { skip: s.skip, timeout: 300_000 }, () => {
    const r = run([...master, "--conf", "spark.ui.enabled=false", "--conf", "spark.task.maxFailures=1", "--conf", "tspark.executor.memory=256m", "test/e2e/programs/spark-reuse.ts"], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    const processes = Number(lines.pop()!.replace("processes ", ""));
    assert.deepEqual(lines, [
      "first job's workers started with the context true",
      "sums [6048,6048,6048]",
      'counted [["a",2],["b",1],["c",1]]',
      'later ["made after the first jobs, 3","made after the first jobs, 6","made after the first jobs, 9","made after the first jobs, 12"]',
      "after destroy 50",
      "failed true",
      "after a failure 10",
      "worker heap bounded true",
    ]);
    // Two executors: a worker each, and a spare or a replacement (one process per task would be 48).
    assert.ok(processes >= 1 && processes <= 4, `48 tasks ran in ${processes} worker processes`);
  });

  test(`Spark ${s.version} (${master.join(" ")}): barrier stages: Spark starts their tasks together and answers BarrierTaskContext's barrier() and allGather(), on a result stage and a shuffle's map side`, { skip: s.skip, timeout: 300_000 }, () => {
    const r = run([...master, "--conf", "spark.ui.enabled=false", "test/e2e/programs/spark-barrier.ts"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      'allGather ["3,12 of 2","3,12 of 2"]',
      "partition 1 waited true",
      'barrier map side [["a",4],["b",2]]',
      "outside [true]",
    ]);
  });

  test(`Spark ${s.version} (${master.join(" ")}): checkpoint() writes through Spark after the first job and later jobs read it; localCheckpoint() too`, { skip: s.skip, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tspark-spark-checkpoints-"));
    try {
      const r = run([...master, "--conf", "spark.ui.enabled=false", "test/e2e/programs/spark-checkpoint.ts", dir], env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n"), [
        "before a job false",
        "sum 328350",
        "after a job true",
        "under the directory true",
        "parts written 4",
        "count 100, max 9801",
        "read from the checkpoint true",
        "after a shuffle [[0,540],[1,560],[2,580],[3,600],[4,620],[5,640]]",
        "after a save true",
        "local 14 true 2,3,4,5",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`Spark ${s.version} (${master.join(" ")}, a worker process per task): examples/wordcount.ts prints what tspark's engine prints`, { skip: s.skip, timeout: 300_000 }, () => {
    const args = ["examples/wordcount.ts", "examples/data/sample.txt", "15"];
    const expected = run(["--master", "local[2]", ...args]);
    assert.equal(expected.code, 0, expected.stderr);
    // Spark's direct mode (no daemon), the other way its executors start workers.
    const r = run([...master, "--conf", "spark.ui.enabled=false", "--conf", "spark.python.use.daemon=false", ...args], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, expected.stdout);
    assert.equal(r.stdout.trim().split("\n").length, 15);
  });

  test(`Spark ${s.version} (${master.join(" ")}): records keep their class (the program's, a module's, a package's) across a shuffle, collect and a disk cache, as on tspark's engine; an unserializable record names its path`, { skip: s.skip, timeout: 300_000 }, () => {
    const expected = recordClassesLocal();
    const r = run([...master, "--conf", "spark.ui.enabled=false", "test/e2e/programs/record-classes.ts"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, expected);
  });

  test(`Spark ${s.version}: every kind of shuffle gives tspark's engine's answers, within the worker's memory (the reduce side spills, as Spark's metrics show)`, { skip: s.skip, timeout: 300_000 }, () => {
    const expected = run(["--master", "local[2]", "--conf", "tspark.worker.memory=2m", "test/e2e/programs/spark-shuffles.ts"]);
    assert.equal(expected.code, 0, expected.stderr);
    const r = run([...master, "--conf", "spark.ui.port=0", "--conf", "tspark.worker.memory=2m", "test/e2e/programs/spark-shuffles.ts"], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    const spilled = lines.pop();
    assert.deepEqual(lines, expected.stdout.trim().split("\n").slice(0, -1));
    assert.match(spilled!, /^spilled [1-9]\d* bytes$/);
    assert.ok(lines.length >= 10, r.stdout);
  });
}

for (const s of testSparks()) {
  test(`Spark ${s.version}: executors that cannot start tspark's worker: one clear error when the context starts, no hang, no JVM left`, { skip: s.skip, timeout: 300_000 }, () => {
    const before = javaPids();
    const r = run(["--master", "local[2]", "--conf", "tspark.engine=spark", "--conf", "spark.ui.enabled=false", "--conf", "tspark.spark.workerExec=/nonexistent/tspark-worker", "test/e2e/programs/spark-narrow.ts"], s.spark ? { SPARK_HOME: s.spark.home } : {});
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Spark's executors could not run tspark's worker \(\/nonexistent\/tspark-worker\): .*Every executor needs Node 20\+ and this executable at the same path/s);
    assert.doesNotMatch(r.stdout, /map\/filter/);
    assert.deepEqual([...javaPids()].filter((p) => !before.has(p)), []);
  });

  test(`Spark ${s.version}: a program whose job failed exits by itself without sc.stop(), leaving no JVM`, { skip: s.skip, timeout: 300_000 }, () => {
    const before = javaPids();
    const r = run(["--master", "local[2]", "--conf", "tspark.engine=spark", "--conf", "spark.ui.enabled=false", "test/e2e/programs/spark-unstopped.ts"], s.spark ? { SPARK_HOME: s.spark.home } : {});
    assert.equal(r.code, 1, `exit code ${r.code} (a hang ends in the test's timeout, not 1):\n${r.stderr}`);
    assert.match(r.stderr, /Job "collect at spark-unstopped\.ts:6" failed on Spark: .*\n  Error: boom/);
    assert.deepEqual([...javaPids()].filter((p) => !before.has(p)), []);
  });

  test(`Spark ${s.version}: the console progress bar draws Spark's running stages from its status tracker, in place, and is cleared before the program goes on`, { skip: s.skip, timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tspark-spark-progress-"));
    const flag = join(dir, "go");
    // held-stage.ts sets local[2]: Spark's local mode, two task slots.
    const term = new Terminal([process.execPath, CLI, "--conf", "tspark.engine=spark", "--conf", "spark.ui.enabled=false", "test/e2e/programs/held-stage.ts", flag], { cwd: ROOT, env: s.spark ? { SPARK_HOME: s.spark.home } : {} });
    try {
      const bar = await term.expect(/\[Stage \d+:>\s*\(0 \+ 2\) \/ 4\]/, 120_000);
      writeFileSync(flag, "go");
      await term.expect(/done 4/, 60_000);
      assert.equal(await term.exited, 0, term.text);
      assertBarDrawnThenCleared(term.output, bar[0], "done 4");
    } finally {
      term.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`Spark ${s.version}: the shell runs on Spark, and says so`, { skip: s.skip, timeout: 300_000 }, () => {
    const r = run(["--master", "local[2]", "--conf", "tspark.engine=spark", "--conf", "spark.ui.enabled=false"], s.spark ? { SPARK_HOME: s.spark.home, TSPARK_HISTORY: "" } : {}, "await sc.range(0, 10).map((x) => x * 2).sum()\n.exit\n");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`master local\\[2\\] \\(on Apache Spark ${s.version.replace(/\./g, "\\.")}\\), app "tspark-shell", id local-\\d+\n`));
    assert.match(r.stdout, /tspark> 90\n/);
    assert.match(run(["--master", "local[2]", "--conf", "tspark.engine=spark"], s.spark ? { SPARK_HOME: s.spark.home, TSPARK_HISTORY: "" } : {}, "sc.sparkVersion\n.exit\n").stdout, new RegExp(`tspark> '${s.version.replace(/\./g, "\\.")}'`));
  });
}

for (const s of testSparks()) {
  /**
   * Output that does not depend on the order shuffle blocks arrive in (Spark's is not the map
   * tasks'): lines sorted (a group's keys come in arrival order), and decimals to 9 significant
   * digits (floating-point sums in another order differ in their last bits).
   */
  const normalized = (out: string) => out.replace(/-?\d+\.\d+(e-?\d+)?/g, (x) => Number(x).toPrecision(9)).split("\n").sort().join("\n");

  test(`Spark ${s.version} (local-cluster): every program in examples/ prints what tspark's engine prints (up to the order of arrival)`, { skip: s.skip, timeout: 600_000 }, () => {
    const examples: Array<[string, ...string[]]> = [
      ["wordcount.ts", "examples/data/sample.txt"],
      ["pi.ts", "4"],
      ["sort.ts", "examples/data/sample.txt", "30"],
      ["transitive-closure.ts"],
      ["pagerank.ts", "examples/data/links.txt", "10"],
      ["kmeans.ts", "examples/data/points.txt", "3"],
      ["logistic-regression.ts"],
      ["log-analysis.ts", "examples/data/access.log", "OUT"],
    ];
    const dir = mkdtempSync(join(tmpdir(), "tspark-examples-on-spark-"));
    try {
      for (const [name, ...args] of examples) {
        const on = (engine: string, master: string[], env: NodeJS.ProcessEnv = {}) => {
          const out = join(dir, engine);
          const r = run([...master, join("examples", name), ...args.map((a) => (a === "OUT" ? out : a))], env);
          assert.equal(r.code, 0, `${name} on ${engine}:\n${r.stderr}`);
          return normalized(r.stdout.replaceAll(out, "OUT"));
        };
        const expected = on("local", ["--master", "local[2]"]);
        assert.equal(on("spark", ["--master", "local-cluster[2,1,1024]", "--conf", "spark.ui.enabled=false"], { SPARK_HOME: s.spark!.home }), expected, name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`Spark ${s.version}: workers killed mid-task in word count, a join and a cached program of several jobs (map or reduce side, three seeds): every answer right`, { skip: s.skip, timeout: 600_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tspark-faults-"));
    try {
      for (const seed of [1, 2, 3]) {
        const r = run(["--master", "local-cluster[2,1,1024]", "--conf", "spark.ui.enabled=false", "--conf", "spark.task.maxFailures=3", "test/e2e/programs/spark-faults.ts", dir, String(seed)], s.spark ? { SPARK_HOME: s.spark.home } : {});
        assert.equal(r.code, 0, `seed ${seed}:\n${r.stderr}`);
        assert.deepEqual(r.stdout.trim().split("\n"), ["word count right true", "join right true", "cached program right true"], `seed ${seed}`);
      }
      // Every kill happened (a marker is written just before it).
      assert.equal(readdirSync(dir).length, 3 * 4, readdirSync(dir).join(", "));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`Spark ${s.version}: an executor JVM killed during a job: Spark recomputes its lost shuffle output and the answer is right`, { skip: s.skip, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tspark-executor-lost-"));
    try {
      const marker = join(dir, "killed");
      const r = run(["--master", "local-cluster[2,1,1024]", "--conf", "spark.ui.enabled=false", "test/e2e/programs/spark-executor-lost.ts", marker], s.spark ? { SPARK_HOME: s.spark.home } : {});
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(marker), "a task killed its executor");
      assert.match(readFileSync(marker, "utf8"), /java .*CoarseGrainedExecutorBackend/, "the process killed was an executor JVM");
      assert.equal(r.stdout.trim(), "keys 100, total 20000, every count 200");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`Spark ${s.version}: Ctrl-C during a job stops the driver, Spark's JVMs and tspark's workers on the executors`, { skip: s.skip, timeout: 300_000 }, async () => {
    const before = javaPids();
    const workers = () => spawnSync("pgrep", ["-f", "spark/worker/launcher.js"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    const child = spawn(process.execPath, [CLI, "--master", "local-cluster[2,1,1024]", "--conf", "spark.ui.enabled=false", "test/e2e/programs/spark-long.ts"], { cwd: ROOT, env: { ...process.env, ...(s.spark ? { SPARK_HOME: s.spark.home } : {}) }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.ok(await waitUntil(() => out.includes("ready 2"), 120_000), out);
    assert.ok(await waitUntil(() => workers().length > 0, 60_000), `no worker started:\n${out}`);
    child.kill("SIGINT");
    assert.equal(await exited, 130, out);
    assert.match(out, /SIGINT received/);
    assert.ok(await waitUntil(() => [...javaPids()].every((p) => before.has(p)) && workers().length === 0, 30_000), `left behind: JVMs ${[...javaPids()].filter((p) => !before.has(p))}, workers ${workers()}`);
  });
}

test("a Spark master without Spark: the error says how to get one, and nothing runs", () => {
  const env = { ...process.env };
  delete env["SPARK_HOME"];
  const r = spawnSync(process.execPath, [CLI, "--master", "spark://127.0.0.1:7077", "test/e2e/programs/spark-narrow.ts"], { cwd: ROOT, encoding: "utf8", env });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /neither tspark.spark.home nor SPARK_HOME is set/);
  assert.match(r.stderr, /pip install pyspark==/);
  assert.doesNotMatch(r.stdout, /map\/filter/);
});

// Against real Spark (each pinned release, installed by scripts/install-spark.sh): the
// gateway starts, the Py4J client drives a JavaSparkContext through a job, JVM exceptions
// arrive as JvmErrors, and the JVM never outlives the driver: not after stop(), not after the
// driver is killed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launchGateway } from "./launch-gateway.js";
import { testSparks } from "../testing/installed-spark.js";
import { JavaObject, JvmError } from "../py4j/py4j-client.js";
import type { SparkInstallation } from "./spark-home.js";
import { alive, waitUntil } from "../../testing/processes.js";

const QUIET = [["spark.ui.enabled", "false"], ["spark.ui.showConsoleProgress", "false"]] as const;

for (const s of testSparks()) {
  test(`Spark ${s.version}: a JavaSparkContext driven through the gateway runs a job; JVM errors arrive typed; stop() ends the JVM`, { skip: s.skip, timeout: 180_000 }, async () => {
    const spark = s.spark as SparkInstallation;
    const gw = await launchGateway({ spark, master: "local[2]", conf: QUIET });
    try {
      const { client } = gw;
      assert.match(String(await client.callStatic("java.lang.System", "getProperty", "java.version")), /^17\./);
      const conf = await client.construct("org.apache.spark.SparkConf", true);
      await conf.call("setAppName", "gateway-test");
      const jsc = await client.construct("org.apache.spark.api.java.JavaSparkContext", conf);
      assert.equal(await jsc.call("version"), s.version);
      assert.equal(await jsc.call("master"), "local[2]");
      const sc = (await jsc.call("sc")) as JavaObject;
      assert.match(String(await sc.call("applicationId")), /^local-\d+$/);
      const list = await client.construct("java.util.ArrayList");
      for (let i = 1; i <= 10; i++) await list.call("add", `line ${i}\nwith a newline`);
      const rdd = (await jsc.call("parallelize", list, 2)) as JavaObject;
      assert.equal(await rdd.call("getNumPartitions"), 2);
      assert.equal(await rdd.call("count"), 10n); // a real Spark job, its long as a bigint
      const first = (await rdd.call("first")) as string;
      assert.equal(first, "line 1\nwith a newline");
      await assert.rejects(client.callStatic("java.lang.Integer", "parseInt", "abc"), (e: JvmError) => e.code === "JVM_ERROR" && /NumberFormatException: For input string: "abc"/.test(e.message) && /Integer\.parseInt/.test(e.javaStackTrace ?? ""));
      await assert.rejects(jsc.call("noSuchMethod"), /noSuchMethod failed in the JVM: py4j.Py4JException: Method noSuchMethod\(\[\]\) does not exist/);
      await jsc.call("stop");
    } finally {
      await gw.stop();
    }
    assert.equal(alive(gw.pid), false);
  });

  test(`Spark ${s.version}: a driver killed with SIGKILL leaves no JVM behind`, { skip: s.skip, timeout: 180_000 }, async () => {
    const spark = s.spark as SparkInstallation;
    const dir = mkdtempSync(join(os.tmpdir(), "tspark-gateway-kill-"));
    const program = join(dir, "driver.mjs");
    writeFileSync(program, [
      `import { launchGateway } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "launch-gateway.js")).href)};`,
      `const gw = await launchGateway({ spark: ${JSON.stringify(spark)}, conf: [["spark.ui.enabled", "false"]] });`,
      `console.log(gw.pid);`,
      `setInterval(() => {}, 1000);`,
    ].join("\n"));
    const driver = spawn(process.execPath, [program], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const jvmPid = await new Promise<number>((resolve, reject) => {
        driver.stdout.setEncoding("utf8");
        driver.stdout.once("data", (d: string) => resolve(Number(d.trim())));
        driver.once("exit", (code) => reject(new Error(`the driver exited (${code}) before its gateway started`)));
      });
      assert.ok(alive(jvmPid));
      driver.kill("SIGKILL");
      assert.ok(await waitUntil(() => !alive(jvmPid), 30_000), `JVM ${jvmPid} still running 30 s after its driver was killed`);
    } finally {
      driver.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("a JVM that fails to start: the error carries its last output, and no process is left", { timeout: 30_000 }, async () => {
  const home = mkdtempSync(join(os.tmpdir(), "tspark-broken-spark-"));
  try {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(home, "bin"));
    writeFileSync(join(home, "bin", "spark-submit"), "#!/bin/sh\necho 'Error: JAVA_HOME is not set' >&2\nexit 1\n", { mode: 0o755 });
    await assert.rejects(
      launchGateway({ spark: { home, version: "4.3.0", minor: "4.3" }, startTimeoutMs: 20_000 }),
      (e: Error & { code: string }) => e.code === "SPARK_UNAVAILABLE" && /JVM exited \(exit code 1\) before its gateway started; its last output:\nError: JAVA_HOME is not set/.test(e.message),
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { findSpark, sparkVersionOf, supportedMinor } from "./spark-home.js";
import { readConnectionInfo } from "./launch-gateway.js";

function fakeSparkHome(jar: string | undefined): string {
  const home = mkdtempSync(join(os.tmpdir(), "tspark-fake-spark-"));
  mkdirSync(join(home, "bin"));
  writeFileSync(join(home, "bin", "spark-submit"), "#!/bin/sh\n", { mode: 0o755 });
  mkdirSync(join(home, "jars"));
  if (jar) writeFileSync(join(home, "jars", jar), "");
  return home;
}

test("no Spark configured: the error says how to install one and where to point", () => {
  assert.throws(() => findSpark(undefined, {}), (e: Error & { code: string }) => e.code === "SPARK_UNAVAILABLE" && /neither tspark.spark.home nor SPARK_HOME is set/.test(e.message) && /pip install pyspark==/.test(e.message));
});

test("a folder that is not Spark is refused, naming the setting that pointed there", () => {
  const dir = mkdtempSync(join(os.tmpdir(), "tspark-not-spark-"));
  try {
    assert.throws(() => findSpark(undefined, { SPARK_HOME: dir }), /SPARK_HOME \(.*\) is not a Spark installation: it has no bin\/spark-submit/);
    assert.throws(() => findSpark(dir, { SPARK_HOME: "/elsewhere" }), /tspark.spark.home \(.*\) is not a Spark installation/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the release is read from the spark-core jar; an unsupported one is refused naming the supported", () => {
  const h43 = fakeSparkHome("spark-core_2.13-4.3.0.jar");
  const h35 = fakeSparkHome("spark-core_2.12-3.5.9.jar");
  const h41 = fakeSparkHome("spark-core_2.13-4.1.1.jar");
  const none = fakeSparkHome(undefined);
  try {
    assert.deepEqual(findSpark(h43, {}), { home: h43, version: "4.3.0", minor: "4.3" });
    assert.equal(findSpark(undefined, { SPARK_HOME: h35 }).minor, "3.5");
    assert.throws(() => findSpark(h41, {}), /Spark 4\.1\.1 is not supported; tspark runs on Spark 3\.5\.x and 4\.3\.x/);
    assert.throws(() => sparkVersionOf(none), /no jars\/spark-core_\*\.jar/);
    assert.equal(supportedMinor("4.3.1"), "4.3");
  } finally {
    for (const h of [h43, h35, h41, none]) rmSync(h, { recursive: true, force: true });
  }
});

test("the gateway's connection file: port, then the secret with its length", () => {
  const secret = Buffer.from("s3cr€t");
  const bytes = Buffer.alloc(8 + secret.length);
  bytes.writeInt32BE(40123, 0);
  bytes.writeInt32BE(secret.length, 4);
  secret.copy(bytes, 8);
  assert.deepEqual(readConnectionInfo(bytes), { port: 40123, secret: "s3cr€t" });
  assert.throws(() => readConnectionInfo(bytes.subarray(0, 10)), /truncated/);
});

import test from "node:test";
import assert from "node:assert/strict";
import { isAbsolute, resolve } from "node:path";
import { TsparkError } from "../errors.js";
import { parseBytes, heapMegabytes } from "./bytes.js";
import { absolutePath, commaList, flag, fraction, logLevel, milliseconds, pathOrUrl, port, positiveInteger, positiveNumber, spaceList, text } from "./values.js";

const configError = (message: RegExp) => (err: unknown) => err instanceof TsparkError && err.code === "CONFIG" && message.test(err.message);

test("bytes: sizes with a unit or none; anything else is not a size", () => {
  assert.equal(parseBytes("1024"), 1024);
  assert.equal(parseBytes("64k"), 64 * 1024);
  assert.equal(parseBytes(" 512m "), 512 * 2 ** 20);
  assert.equal(parseBytes("1.5G"), 1.5 * 2 ** 30);
  assert.equal(parseBytes("2gb"), 2 * 2 ** 30);
  assert.equal(parseBytes("1t"), 2 ** 40);
  for (const bad of ["lots", "2 gigs", "1x", "", "-1m"]) {
    assert.throws(() => parseBytes(bad), { message: `not a size: "${bad}" (expected e.g. 512m, 1g, 65536)` }, bad);
  }
  assert.equal(heapMegabytes(parseBytes("2g")), 2048);
  assert.equal(heapMegabytes(parseBytes("1m")), 16, "node's heap flag gets at least 16 MB");
});

test("flag: true or false in any case; the refusal names the key and the value", () => {
  assert.equal(flag("true", "k"), true);
  assert.equal(flag(" FALSE ", "k"), false);
  assert.throws(() => flag("yes", "tspark.ui.enabled"), configError(/^tspark\.ui\.enabled must be true or false, got "yes"$/));
});

test("positiveInteger: whole numbers from 1", () => {
  assert.equal(positiveInteger("4", "k"), 4);
  assert.equal(positiveInteger(" 2 ", "k"), 2);
  for (const bad of ["0", "-1", "1.5", "four", ""]) {
    assert.throws(() => positiveInteger(bad, "tspark.task.maxFailures"), configError(/^tspark\.task\.maxFailures must be a positive integer$/), bad);
  }
});

test("port: 0-65535", () => {
  assert.equal(port("0", "k"), 0);
  assert.equal(port("65535", "k"), 65535);
  for (const bad of ["65536", "-1", "http", "80.5"]) {
    assert.throws(() => port(bad, "tspark.ui.port"), configError(/^tspark\.ui\.port must be a port number \(0-65535; 0 = any free port\)$/), bad);
  }
});

test("milliseconds: a number, 0 or more, or a duration with Spark's units", () => {
  assert.equal(milliseconds("3000", "k"), 3000);
  assert.equal(milliseconds("0", "k"), 0);
  assert.equal(milliseconds("100ms", "k"), 100);
  assert.equal(milliseconds("3s", "k"), 3000);
  assert.equal(milliseconds(" 2min", "k"), 120_000);
  assert.equal(milliseconds("1.5h", "k"), 5_400_000);
  for (const bad of ["-5", "3 weeks", "soon", "", "5 s s"]) {
    assert.throws(() => milliseconds(bad, "tspark.locality.wait"), configError(new RegExp(`^tspark\\.locality\\.wait must be a duration \\(milliseconds, or with a unit: 100ms, 5s, 2min\\), got "${bad}"$`)), bad);
  }
});

test("positiveNumber and fraction", () => {
  assert.equal(positiveNumber("1.5", "k"), 1.5);
  for (const bad of ["0", "-1", "", "x"]) assert.throws(() => positiveNumber(bad, "tspark.speculation.multiplier"), configError(/^tspark\.speculation\.multiplier must be a number above 0/), bad);
  assert.equal(fraction("0.75", "k"), 0.75);
  assert.equal(fraction("0", "k"), 0);
  for (const bad of ["1", "-0.1", "", "most"]) assert.throws(() => fraction(bad, "tspark.speculation.quantile"), configError(/^tspark\.speculation\.quantile must be a fraction from 0 to below 1/), bad);
});

test("logLevel: a known level in any case, upper-cased; the refusal lists the levels", () => {
  assert.equal(logLevel("info", "k"), "INFO");
  assert.throws(() => logLevel("LOUD", "k"), { message: 'unknown log level "LOUD"; use one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF' });
});

test("lists, text and paths", () => {
  assert.deepEqual(commaList(" a.txt, ,b.txt,", "k"), ["a.txt", "b.txt"]);
  assert.deepEqual(commaList("", "k"), []);
  assert.ok(Object.isFrozen(commaList("a", "k")));
  assert.deepEqual(spaceList("--stack-size=900  --no-warnings", "k"), ["--stack-size=900", "--no-warnings"]);
  assert.deepEqual(spaceList(" ", "k"), []);
  assert.equal(text(" as is ", "k"), " as is ");
  assert.ok(isAbsolute(absolutePath("tspark-events", "k")));
});

test("pathOrUrl: a path made absolute, a file: URL made a path, another filesystem's URL kept", () => {
  assert.equal(pathOrUrl("events", "k"), resolve("events"));
  assert.equal(pathOrUrl("file:///tmp/ev", "k"), "/tmp/ev");
  assert.equal(pathOrUrl("hdfs://namenode:8020/spark-events", "k"), "hdfs://namenode:8020/spark-events");
  assert.equal(pathOrUrl("s3a://bucket/events", "k"), "s3a://bucket/events");
  assert.throws(() => pathOrUrl("file://otherhost/events", "tspark.eventLog.dir"), configError(/^tspark\.eventLog\.dir must be a local path or file: URL/));
});

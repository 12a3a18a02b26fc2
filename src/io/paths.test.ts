/**
 * Input path resolution: files, directories (non-recursive, hidden names skipped), globs,
 * comma lists (commas inside {...} belong to the glob), file: URLs, and errors that name
 * every item that matched nothing.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveInputPaths, splitPathList, isGzip, isHiddenName } from "./paths.js";
import { TsparkError } from "../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-paths-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
for (const f of ["b.txt", "a.txt", "c.log", "_SUCCESS", ".hidden", "a[1].txt", "x.gz"]) writeFileSync(join(dir, f), f);
mkdirSync(join(dir, "sub"));
writeFileSync(join(dir, "sub", "d.txt"), "d");
writeFileSync(join(dir, "sub", "_temporary"), "t");
mkdirSync(join(dir, "sub", "deeper"));
writeFileSync(join(dir, "sub", "deeper", "e.txt"), "e");
mkdirSync(join(dir, "other"));
writeFileSync(join(dir, "other", "f.txt"), "f");
mkdirSync(join(dir, "_logs"));
writeFileSync(join(dir, "_logs", "g.txt"), "g");
mkdirSync(join(dir, "empty"));
mkdirSync(join(dir, "links"));
symlinkSync(join(dir, "a.txt"), join(dir, "links", "to-a.txt"));
symlinkSync(join(dir, "missing-target"), join(dir, "links", "dangling.txt"));

const at = (...names: string[]) => names.map((n) => join(dir, n));
const notFound = (re: RegExp) => (e: unknown) => e instanceof TsparkError && e.code === "INPUT_NOT_FOUND" && re.test(e.message);

test("a file, and a directory's data files: sorted, hidden names and subdirectories skipped", () => {
  assert.deepEqual(resolveInputPaths(join(dir, "a.txt")), at("a.txt"));
  assert.deepEqual(resolveInputPaths(dir), at("a.txt", "a[1].txt", "b.txt", "c.log", "x.gz"));
  assert.deepEqual(resolveInputPaths(join(dir, "sub")), at("sub/d.txt"));
  assert.deepEqual(resolveInputPaths(join(dir, "empty")), [], "an empty directory is fine");
  assert.deepEqual(resolveInputPaths(join(dir, "links")), at("links/to-a.txt"), "links to files count; dangling links do not");
});

test("globs: absolute results, sorted, hidden names skipped, matched directories expanded", () => {
  assert.deepEqual(resolveInputPaths(join(dir, "*.txt")), at("a.txt", "a[1].txt", "b.txt"));
  assert.deepEqual(resolveInputPaths(join(dir, "*")), at("a.txt", "a[1].txt", "b.txt", "c.log", "links/to-a.txt", "other/f.txt", "sub/d.txt", "x.gz"));
  assert.deepEqual(resolveInputPaths(join(dir, "{sub,other}")), at("other/f.txt", "sub/d.txt"));
  assert.deepEqual(resolveInputPaths(join(dir, "?.log")), at("c.log"));
  assert.deepEqual(resolveInputPaths(join(dir, "**", "e.txt")), at("sub/deeper/e.txt"));
  assert.deepEqual(resolveInputPaths(join(dir, "*", "*.txt")), at("links/to-a.txt", "other/f.txt", "sub/d.txt"), "no match under _logs");
  assert.deepEqual(resolveInputPaths(join(dir, "_logs", "*.txt")), at("_logs/g.txt"), "a hidden name written out is meant");
  assert.deepEqual(resolveInputPaths(join(dir, "_*", "g.txt")), at("_logs/g.txt"), "as is a wildcard starting with _");
  assert.deepEqual(resolveInputPaths(join(dir, "_*")), at("_SUCCESS", "_logs/g.txt"));
});

test("relative paths and globs resolve against the working directory, even from inside the tree", () => {
  const cwd = process.cwd();
  try {
    process.chdir(join(dir, "sub"));
    assert.deepEqual(resolveInputPaths("d.txt"), at("sub/d.txt"));
    assert.deepEqual(resolveInputPaths("../*.log"), at("c.log"));
    // tinyglobby drops matches inside cwd for patterns that leave it (its issue #128).
      assert.deepEqual(resolveInputPaths("../*/d.txt"), at("sub/d.txt"));
  } finally {
    process.chdir(cwd);
  }
});

test("comma lists: groups in order, duplicates removed, commas inside braces kept", () => {
  assert.deepEqual(resolveInputPaths(`${join(dir, "c.log")},${join(dir, "sub")}`), at("c.log", "sub/d.txt"));
  assert.deepEqual(resolveInputPaths(`${join(dir, "b.txt")}, ${join(dir, "*.txt")}`), at("b.txt", "a.txt", "a[1].txt"), "first occurrence kept");
  assert.deepEqual(resolveInputPaths(join(dir, "{a,b}.txt")), at("a.txt", "b.txt"));
  assert.deepEqual(resolveInputPaths(join(dir, "{sub/d,other/f}.txt")), at("other/f.txt", "sub/d.txt"), "braces spanning directories");
  assert.deepEqual(resolveInputPaths(`${join(dir, "{sub/d,other/f}.txt")},${join(dir, "c.log")}`), at("other/f.txt", "sub/d.txt", "c.log"));
  assert.deepEqual(splitPathList("a,{b,c}/x,, d ,"), ["a", "{b,c}/x", "d"]);
});

test("literal names with glob characters, explicitly named hidden files, file: URLs", () => {
  assert.deepEqual(resolveInputPaths(join(dir, "a[1].txt")), at("a[1].txt"), "an existing path is taken literally");
  assert.deepEqual(resolveInputPaths(join(dir, "_SUCCESS")), at("_SUCCESS"));
  assert.deepEqual(resolveInputPaths(`file://${join(dir, "a.txt")}`), at("a.txt"));
  assert.deepEqual(resolveInputPaths(`file:${join(dir, "a.txt")}`), at("a.txt"));
  assert.deepEqual(resolveInputPaths(`file://${join(dir, "*.log")}`), at("c.log"));
});

test("items that match nothing are INPUT_NOT_FOUND naming each of them", () => {
  assert.throws(() => resolveInputPaths(join(dir, "nope.txt")), notFound(/Input path does not exist: .*nope\.txt/));
  assert.throws(() => resolveInputPaths(join(dir, "*.csv")), notFound(/Input Pattern .*\*\.csv matches 0 files/));
  assert.throws(() => resolveInputPaths(join(dir, "*SUCCESS")), notFound(/matches 0 files/), "a wildcard does not match hidden names");
  assert.throws(() => resolveInputPaths(join(dir, "nodir", "*.txt")), notFound(/matches 0 files/));
  assert.throws(
    () => resolveInputPaths(`${join(dir, "a.txt")},${join(dir, "one")},${join(dir, "two*")}`),
    notFound(/does not exist: .*one;.*two\* matches 0 files/),
  );
  assert.throws(() => resolveInputPaths("relative-missing.txt"), notFound(/relative-missing\.txt \(\/.*relative-missing\.txt\)/), "the absolute path is shown too");
  assert.throws(() => resolveInputPaths(" , "), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
});

test("a URL of another filesystem is refused naming its scheme and Spark as the way to read it", () => {
  for (const [url, scheme] of [["s3://bucket/x.txt", "s3"], ["https://example.com/data.txt", "https"], ["HDFS://nn/logs", "hdfs"]] as const) {
    assert.throws(
      () => resolveInputPaths(`${join(dir, "a.txt")},${url}`),
      (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT" && e.message.startsWith(`unsupported filesystem scheme: ${scheme} (${url})`) && /run on Spark/.test(e.message),
      url,
    );
  }
});

test("file: URLs in any case; one naming another host is refused", () => {
  assert.deepEqual(resolveInputPaths(`FILE://${join(dir, "a.txt")}`), at("a.txt"));
  assert.throws(() => resolveInputPaths("file://otherhost/data/a.txt"), (e: unknown) => e instanceof TsparkError && /names a file of another host \(otherhost\)/.test(e.message));
});

test("isGzip and isHiddenName", () => {
  assert.equal(isGzip("/a/b.txt.gz"), true);
  assert.equal(isGzip("/a/b.gzip"), false);
  assert.equal(isHiddenName("_SUCCESS"), true);
  assert.equal(isHiddenName(".crc"), true);
  assert.equal(isHiddenName("part-00000"), false);
});

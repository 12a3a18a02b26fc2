/**
 * All-or-nothing output: one part per partition, first commit of a partition wins,
 * _SUCCESS last, nothing left of an aborted job, existing directories never touched.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readdirSync, rmSync, existsSync, readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputCommitter, partFileName, type CommitDescription } from "./output-commit.js";
import { TsparkError } from "../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-commit-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** What a worker gets: the description after a trip through plain data. */
const onWorker = (c: OutputCommitter) => OutputCommitter.fromDescription(JSON.parse(JSON.stringify(c.describe())) as CommitDescription);
const isCode = (code: string, re?: RegExp) => (e: unknown) => e instanceof TsparkError && e.code === code && (re === undefined || re.test(e.message));

test("part file names", () => {
  assert.equal(partFileName(0), "part-00000");
  assert.equal(partFileName(12, ".gz"), "part-00012.gz");
  assert.equal(partFileName(123456), "part-123456");
});

test("prepare claims a new directory with _temporary/<job>/, creating parents", () => {
  const out = join(dir, "nested", "deeper", "out");
  const c = OutputCommitter.prepare(out, "job-1");
  assert.ok(existsSync(join(out, "_temporary", "job-1")));
  assert.deepEqual(c.describe(), { outputDir: out, jobId: "job-1", suffix: "" });
  c.abortJob();
  assert.equal(existsSync(out), false);
});

test("prepare takes a file: URL as its path, and refuses another filesystem's URL before making anything", () => {
  const out = join(dir, "from-url");
  const c = OutputCommitter.prepare(`file://${out}`, "job-2");
  assert.equal(c.describe().outputDir, out);
  assert.ok(existsSync(join(out, "_temporary", "job-2")));
  c.abortJob();
  const cwdBefore = readdirSync(process.cwd());
  assert.throws(() => OutputCommitter.prepare("s3://bucket/out", "job-3"), (e: unknown) => e instanceof TsparkError && /^unsupported filesystem scheme: s3 \(s3:\/\/bucket\/out\)/.test(e.message));
  assert.deepEqual(readdirSync(process.cwd()), cwdBefore, "no s3: directory made");
});

test("commit publishes one part per partition, empty ones too, and removes _temporary", () => {
  const out = join(dir, "out");
  const c = OutputCommitter.prepare(out, "job1");
  const w = onWorker(c);
  for (const p of [2, 0, 1]) {
    writeFileSync(w.taskAttemptPath(p, 0), `data of ${p}`);
    assert.equal(w.commitTask(p, 0), true);
  }
  w.taskAttemptPath(3, 0); // a partition that wrote nothing
  w.commitTask(3, 0);
  assert.ok(!existsSync(join(out, "_SUCCESS")), "no _SUCCESS before the job commits");
  assert.deepEqual(readdirSync(out), ["_temporary"], "nothing visible before the job commits");
  c.commitJob(4);
  assert.deepEqual(readdirSync(out).sort(), ["_SUCCESS", "part-00000", "part-00001", "part-00002", "part-00003"]);
  assert.equal(readFileSync(join(out, "part-00002"), "utf8"), "data of 2");
  assert.equal(readFileSync(join(out, "part-00003"), "utf8"), "");
  assert.equal(readFileSync(join(out, "_SUCCESS"), "utf8"), "");
  assert.throws(() => w.taskAttemptPath(5, 0), isCode("INVALID_ARGUMENT", /not active/), "a late attempt cannot write into committed output");
});

test("two attempts of one partition: the first to commit wins, the other is discarded", () => {
  const out = join(dir, "speculative");
  const c = OutputCommitter.prepare(out, "j", ".gz");
  const a = onWorker(c);
  const b = onWorker(c);
  const pa = a.taskAttemptPath(0, 0);
  const pb = b.taskAttemptPath(0, 1);
  assert.ok(pa.endsWith("part-00000.gz"));
  writeFileSync(pa, "attempt 0");
  writeFileSync(pb, "attempt 1");
  assert.equal(b.commitTask(0, 1), true);
  assert.equal(a.commitTask(0, 0), false, "the slower attempt loses");
  const retried = a.taskAttemptPath(0, 2);
  writeFileSync(retried, "attempt 2");
  a.commitTask(0, 2);
  c.commitJob(1);
  assert.deepEqual(readdirSync(out).sort(), ["_SUCCESS", "part-00000.gz"]);
  assert.equal(readFileSync(join(out, "part-00000.gz"), "utf8"), "attempt 1");
});

test("a failed attempt's output is never published", () => {
  const out = join(dir, "failed-attempt");
  const c = OutputCommitter.prepare(out, "j");
  writeFileSync(c.taskAttemptPath(0, 0), "half written");
  c.abortTask(0, 0);
  writeFileSync(c.taskAttemptPath(0, 1), "good");
  c.commitTask(0, 1);
  writeFileSync(c.taskAttemptPath(1, 0), "never committed");
  assert.throws(() => c.commitJob(2), isCode("INVALID_ARGUMENT", /partitions 1 were never committed/));
  c.commitTask(1, 0);
  c.commitJob(2);
  assert.deepEqual(readdirSync(out).sort(), ["_SUCCESS", "part-00000", "part-00001"]);
  assert.equal(readFileSync(join(out, "part-00000"), "utf8"), "good");
});

test("_SUCCESS is written last: a job commit that fails midway leaves no _SUCCESS", () => {
  const out = join(dir, "midway");
  const c = OutputCommitter.prepare(out, "j");
  for (const p of [0, 1]) {
    writeFileSync(c.taskAttemptPath(p, 0), `p${p}`);
    c.commitTask(p, 0);
  }
  mkdirSync(join(out, "part-00001", "blocker"), { recursive: true }); // the move of part 1 will fail
  assert.throws(() => c.commitJob());
  assert.equal(existsSync(join(out, "_SUCCESS")), false);
  c.abortJob();
  assert.equal(existsSync(out), false);
});

test("abort leaves nothing behind, whatever state the job was in", () => {
  const out = join(dir, "aborted");
  const c = OutputCommitter.prepare(out, "j");
  writeFileSync(c.taskAttemptPath(0, 0), "x");
  c.commitTask(0, 0);
  writeFileSync(c.taskAttemptPath(1, 0), "y");
  c.abortJob();
  assert.equal(existsSync(out), false);
  c.abortJob(); // idempotent
  assert.equal(existsSync(dir), true, "only the output directory is removed");
});

test("an existing output path is OUTPUT_EXISTS and is left untouched", () => {
  const out = join(dir, "exists");
  mkdirSync(out);
  writeFileSync(join(out, "precious"), "keep me");
  assert.throws(() => OutputCommitter.prepare(out, "j"), isCode("OUTPUT_EXISTS", /Output directory .*exists already exists/));
  assert.deepEqual(readdirSync(out), ["precious"]);
  const asFile = join(dir, "a-file");
  writeFileSync(asFile, "");
  assert.throws(() => OutputCommitter.prepare(asFile, "j"), isCode("OUTPUT_EXISTS"));
  const done = join(dir, "done");
  OutputCommitter.prepare(done, "j").commitJob();
  assert.deepEqual(readdirSync(done), ["_SUCCESS"]);
  assert.throws(() => OutputCommitter.prepare(done, "k"), isCode("OUTPUT_EXISTS"));
});

test("job ids and indices are checked", () => {
  assert.throws(() => OutputCommitter.prepare(join(dir, "bad-id"), "../escape"), isCode("INVALID_ARGUMENT"));
  assert.equal(existsSync(join(dir, "bad-id")), false);
  const c = OutputCommitter.prepare(join(dir, "idx"), "j");
  assert.throws(() => c.taskAttemptPath(-1, 0), isCode("INVALID_ARGUMENT"));
  assert.throws(() => c.taskAttemptPath(0, 1.5), isCode("INVALID_ARGUMENT"));
  c.abortJob();
});

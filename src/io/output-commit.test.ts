import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readdirSync, rmSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputCommitter, partFileName } from "./output-commit.js";
import { ObjectPartWriter, readObjectFile } from "./object-file.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-commit-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("commit publishes one part per partition, first attempt wins, _SUCCESS last", () => {
  const out = join(dir, "out");
  const c = OutputCommitter.prepare(out, "job1");
  const w = OutputCommitter.fromDescription(c.describe());
  writeFileSync(w.taskAttemptPath(0, 0), "p0-a0");
  w.commitTask(0, 0);
  writeFileSync(w.taskAttemptPath(1, 0), "p1-a0");
  writeFileSync(w.taskAttemptPath(1, 1), "p1-a1");
  w.commitTask(1, 1);
  w.commitTask(1, 0); // a slower duplicate attempt: discarded
  assert.ok(!existsSync(join(out, "_SUCCESS")));
  c.commitJob();
  assert.deepEqual(readdirSync(out).sort(), ["_SUCCESS", "part-00000", "part-00001"]);
  assert.equal(readFileSync(join(out, "part-00001"), "utf8"), "p1-a1");
  assert.throws(() => OutputCommitter.prepare(out, "job2"), /already exists/);
  assert.equal(partFileName(12, ".gz"), "part-00012.gz");
});

test("abort leaves nothing behind", () => {
  const out = join(dir, "aborted");
  const c = OutputCommitter.prepare(out, "j");
  writeFileSync(c.taskAttemptPath(0, 0), "x");
  c.abortJob();
  assert.equal(existsSync(out), false);
});

test("object files round-trip and corruption is reported with the file", () => {
  const p = join(dir, "obj");
  const w = new ObjectPartWriter(p);
  const data = [1, "two", { three: [3n] }, new Map([[4, new Date(4)]]), null];
  w.write(data);
  w.close();
  assert.deepEqual([...readObjectFile(p)].flat(), data);
  const bytes = readFileSync(p);
  writeFileSync(p, bytes.subarray(0, bytes.length - 3));
  assert.throws(() => [...readObjectFile(p)], /truncated/);
  writeFileSync(p, "not an object file");
  assert.throws(() => [...readObjectFile(p)], /not a tspark object file/);
});

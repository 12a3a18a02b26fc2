/**
 * Text part files, plain and gzip, and the full save-then-read loop: committed output read
 * back through resolveInputPaths, planFileSplits and readLines gives the lines written.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { TextPartWriter } from "./text-writer.js";
import { OutputCommitter } from "./output-commit.js";
import { resolveInputPaths } from "./paths.js";
import { planFileSplits } from "./text-splits.js";
import { readLines } from "./line-reader.js";
import { readWholeTextFile } from "./whole-files.js";
import { TsparkError } from "../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-writer-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const lines = Array.from({ length: 120_000 }, (_, i) => `${i}\t${["é", "日本", "😀", "", "plain text"][i % 5]!}`);
const expectedText = lines.join("\n") + "\n";

test("plain text: each line plus \\n, in order, across buffer flushes", () => {
  const p = join(dir, "plain.txt");
  const w = new TextPartWriter(p);
  for (let i = 0; i < lines.length; i += 777) w.write(lines.slice(i, i + 777));
  w.close();
  w.close(); // idempotent
  assert.equal(w.path, p);
  assert.equal(readFileSync(p, "utf8"), expectedText);
  assert.throws(() => w.write(["late"]), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
});

test("gzip: a standard (multi-member) gzip file, .gz appended when missing", () => {
  const w = new TextPartWriter(join(dir, "part-00000"), "gzip");
  assert.equal(w.path, join(dir, "part-00000.gz"));
  w.write(lines);
  w.write(lines.slice(0, 10));
  w.close();
  const raw = readFileSync(w.path);
  assert.deepEqual(raw.subarray(0, 2), Buffer.from([0x1f, 0x8b]));
  const text = expectedText + lines.slice(0, 10).join("\n") + "\n";
  assert.equal(gunzipSync(raw).toString("utf8"), text, "node:zlib reads it");
  assert.ok(raw.length < Buffer.byteLength(text) / 2, "it compresses");
  assert.deepEqual([...readLines({ path: w.path, start: 0, length: raw.length })].flat(), [...lines, ...lines.slice(0, 10)]);
  const kept = new TextPartWriter(join(dir, "already.gz"), "gzip");
  kept.close();
  assert.equal(kept.path, join(dir, "already.gz"));
});

test("an empty gzip part is still a valid gzip file", () => {
  const w = new TextPartWriter(join(dir, "empty"), "gzip");
  w.write([]);
  w.close();
  const raw = readFileSync(w.path);
  assert.ok(raw.length > 0);
  assert.equal(gunzipSync(raw).length, 0);
  assert.equal(readWholeTextFile(w.path), "");
  const plain = new TextPartWriter(join(dir, "empty.txt"));
  plain.close();
  assert.equal(readFileSync(join(dir, "empty.txt")).length, 0);
});

test("unknown codecs are refused", () => {
  assert.throws(() => new TextPartWriter(join(dir, "x"), "lz4" as "gzip"), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
});

test("save then read: committed parts read back in order, markers skipped", () => {
  for (const codec of [undefined, "gzip"] as const) {
    const out = join(dir, `saved-${codec ?? "plain"}`);
    const c = OutputCommitter.prepare(out, "job", codec ? ".gz" : "");
    const parts = [lines.slice(0, 50_000), [], lines.slice(50_000)];
    parts.forEach((part, p) => {
      const worker = OutputCommitter.fromDescription(c.describe());
      const w = new TextPartWriter(worker.taskAttemptPath(p, 0), codec);
      w.write(part);
      w.close();
      worker.commitTask(p, 0);
    });
    c.commitJob(parts.length);
    assert.equal(readdirSync(out).length, 4);
    const files = resolveInputPaths(out);
    assert.equal(files.length, 3, "_SUCCESS is not input");
    for (const m of [1, 3, 10]) {
      const got = planFileSplits(files, m).flatMap((s) => [...readLines(s)].flat());
      assert.deepEqual(got, lines, `${codec ?? "plain"}, minPartitions ${m}`);
    }
  }
});

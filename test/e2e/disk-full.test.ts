/**
 * A full disk during a shuffle write and during saveAsTextFile: the job fails with an error
 * naming the file, the cause and the remedy, leaves no partial output or shuffle file, and
 * the context stays usable. The disk is a 2 MB tmpfs mounted in a private mount namespace
 * (unshare), so nothing outside this test sees it and nothing needs unmounting.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");

/** Runs `command` with a 2 MB tmpfs mounted on `dir`, as root of a private namespace. */
function withTinyDisk(dir: string, command: string[]) {
  const script = 'mount -t tmpfs -o size=2m tmpfs "$0" && exec "$@"';
  return spawnSync("unshare", ["--mount", "--map-root-user", "--propagation", "private", "sh", "-c", script, dir, ...command], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
}

const probeDir = mkdtempSync(join(tmpdir(), "tspark-diskfull-probe-"));
const probe = withTinyDisk(probeDir, ["true"]);
rmSync(probeDir, { recursive: true, force: true });
const canMount = probe.status === 0;

test("a full disk fails shuffles and saves clearly and leaves nothing behind", { skip: canMount ? false : `cannot mount a tmpfs here (${probe.stderr?.trim() || probe.error?.message})` }, () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-diskfull-"));
  try {
    const r = withTinyDisk(dir, [process.execPath, CLI, "test/e2e/programs/disk-full.ts", dir]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    assert.match(String(report.shuffle), /Cannot write temporary file .*\/spill-\d+\/shuffle-0-map-.*: no space left on device \(ENOSPC\); shuffle, spill, cache and broadcast files go under tspark\.local\.dir/);
    assert.deepEqual(report.localFilesAfterFailure, [], "failed attempts removed their partial shuffle and spill files");
    assert.deepEqual(report.usableAfterShuffle, [2, 4, 6]);
    assert.match(String(report.broadcast), /Cannot write temporary file .*broadcast_\d+: no space left on device/);
    assert.deepEqual(report.localFilesAfterBroadcast, [], "no half-written broadcast");
    assert.equal(report.localDirRemoved, true);
    assert.match(String(report.save), /Cannot write output file .*\/out\/.*: no space left on device \(ENOSPC\)/);
    assert.equal(report.outputExists, false, "no partial output");
    assert.deepEqual(report.dirAfterSave, []);
    assert.equal(report.usableAfterSave, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

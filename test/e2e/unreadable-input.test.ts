/**
 * Input files and directories the user may not read: a clear error naming each, and the
 * context stays usable. Root reads everything, so as root the program runs as "nobody".
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: 65534, gid: 65534 } : {};
const env = { ...process.env, HOME: tmpdir() };

/** As root: whether "nobody" can run the CLI from this checkout at all. */
const usable = !asRoot || spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(CLI)})`], { ...user, env }).status === 0;

test("unreadable input files and directories are clear errors naming them", { skip: usable ? false : "running as root and user nobody cannot read this checkout" }, () => {
  const r = spawnSync(process.execPath, [CLI, "test/e2e/programs/unreadable-input.ts"], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env, ...user });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, string>;
  for (const kind of ["textFile", "wholeTextFiles", "binaryFiles"]) {
    assert.match(report[kind]!, /Input file is not readable: \S+\/locked\.txt \(permission denied\)/, kind);
  }
  assert.match(report.closedDirectory!, /Input directory is not readable: \S+\/closed \(permission denied\)/);
  assert.equal(report.stillUsable, 'succeeded: ["fine"]');
});

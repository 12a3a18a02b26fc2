// A program that does not compile: the compiler's message at the user's line, not esbuild's
// stack; a CommonJS package (what `npm init -y` makes) gets told how to make the program an
// ES module (issue 17, item 2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = join(fileURLToPath(import.meta.url), "..", "..", "..", "dist", "cli", "main.js");

function inProject(files: Record<string, string>, program: string) {
  const dir = mkdtempSync(join(tmpdir(), "tspark-compile-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = spawnSync(process.execPath, [CLI, program], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stderr: r.stderr, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("top-level await in a CommonJS package: where, and how to make the program an ES module", () => {
  const r = inProject({ "package.json": '{ "name": "p", "version": "1.0.0", "type": "commonjs" }', "wc.ts": "const n = await Promise.resolve(41);\nconsole.log(n + 1);\n" }, "wc.ts");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^tspark: cannot compile .*wc\.ts:1:11: Top-level await is currently not supported with the "cjs" output format\n {4}const n = await Promise\.resolve\(41\);\n {14}\^\n/);
  assert.match(r.stderr, /Set "type": "module" there \(npm pkg set type=module\), or name the file \.mts\./);
  assert.doesNotMatch(r.stderr, /node_modules\/esbuild|failureErrorWithLog/);
});

test("a syntax error: the message at the line, no compiler internals; the same program as an ES module runs", () => {
  const bad = inProject({ "package.json": '{ "type": "module" }', "bad.ts": "const x: number = 1;\nconsole.log(x +);\n" }, "bad.ts");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^tspark: cannot compile .*bad\.ts:2:16: Unexpected "\)"\n {4}console\.log\(x \+\);\n/);
  assert.doesNotMatch(bad.stderr, /node_modules\/esbuild/);
  const good = inProject({ "package.json": '{ "type": "module" }', "wc.ts": "const n = await Promise.resolve(41);\nconsole.log(n + 1);\n" }, "wc.ts");
  assert.equal(good.code, 0, good.stderr);
  assert.equal(good.stdout, "42\n");
});

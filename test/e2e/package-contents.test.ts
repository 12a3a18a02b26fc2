/**
 * What `npm publish` would ship (`npm pack --dry-run --json`): the CLI, the library's entry
 * and types, the worker entry the driver spawns, the README and every file it links to; no
 * compiled tests and no test-only helpers (a `testing/` folder anywhere under dist/). And
 * what `npm install` brings in runs on every Node that tspark says it runs on.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, posix } from "node:path";
import semver from "semver";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The worker entry as the package runs it: the module src/backend/worker-spawn.ts spawns, compiled. */
function workerEntry(): string {
  const source = readFileSync(join(ROOT, "src", "backend", "worker-spawn.ts"), "utf8");
  const spec = /new URL\("([^"]+\.js)", import\.meta\.url\)/.exec(source)?.[1];
  assert.ok(spec, "worker-spawn.ts names the worker entry as new URL(\"….js\", import.meta.url)");
  return posix.join("dist", "backend", spec);
}

test("the published package holds the CLI, the entry, the worker and the README, and no tests", () => {
  // Test-only helpers in testing/ folders (top level and nested) must be left out too.
  const probes = [join(ROOT, "dist", "testing"), join(ROOT, "dist", "util", "testing")];
  // Only what the probe made is removed after: the build's own testing/ folders hold helpers later tests import.
  const made = probes.filter((dir) => !existsSync(dir));
  try {
    for (const dir of probes) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "package-contents-probe.js"), "export {};\n");
    }
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    // --ignore-scripts: list what the build already made (pack would run `prepare`, a rebuild).
    const r = spawnSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
    const files = pack!.files.map((f) => f.path);

    const tests = files.filter((f) => /\.test\./.test(posix.basename(f)));
    assert.deepEqual(tests, [], `${tests.length} test files shipped`);
    assert.deepEqual(files.filter((f) => f.split("/").includes("testing")), []);
    for (const needed of ["dist/cli/main.js", "dist/index.js", "dist/index.d.ts", "README.md", workerEntry()]) {
      assert.ok(files.includes(needed), `${needed} is shipped`);
    }
    // The README's relative links (to docs, benchmark results, examples) work in the package too.
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    assert.ok(links.length > 0);
    for (const link of links) assert.ok(files.some((f) => f === link || f.startsWith(`${link.replace(/\/$/, "")}/`)), `the README links to ${link}, which is not shipped`);
  } finally {
    for (const dir of probes) rmSync(join(dir, "package-contents-probe.js"), { force: true });
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  }
});

test("every package an install brings in runs on the oldest Node that tspark declares", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
  const oldest = semver.minVersion(pkg.engines.node)!;
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; engines?: { node?: string } | string[] }> };
  const refused = Object.entries(lock.packages)
    .filter(([path, p]) => path !== "" && !p.dev && !Array.isArray(p.engines) && p.engines?.node !== undefined && !semver.satisfies(oldest, p.engines.node))
    .map(([path, p]) => `${path} wants node ${(p.engines as { node: string }).node}`);
  assert.deepEqual(refused, [], `npm install warns on Node ${oldest.version}`);
});

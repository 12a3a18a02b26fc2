/**
 * The README's opening commands, as a user types them: `npx tspark examples/wordcount.ts`
 * (with and without the bundled sample path) prints the most frequent words of the sample.
 * (`npm test` is the command running this suite; `.ci/run` runs it after `npm ci`.)
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** The top `n` words of the sample, counted in this process: [count, word] as printed. */
function expectedTop(n: number): string[][] {
  const counts = new Map<string, number>();
  for (const w of readFileSync(join(ROOT, "examples/data/sample.txt"), "utf8").toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
    if (w.length >= 3) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([w, c]) => [String(c), w]);
}

function npxTspark(args: string[]) {
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  return spawnSync(npx, ["--offline", "tspark", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
}

test("the README opens with the word count command and the test command", () => {
  const block = /```(?:bash|sh)\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  assert.match(block, /npx tspark examples\/wordcount\.ts/);
  assert.match(block, /npm test/);
});

for (const args of [["examples/wordcount.ts"], ["examples/wordcount.ts", "examples/data/sample.txt"]]) {
  test(`npx tspark ${args.join(" ")} prints the most frequent words`, () => {
    const r = npxTspark(args);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/));
    assert.ok(lines.length >= 5, r.stdout);
    assert.deepEqual(lines, expectedTop(lines.length));
  });
}

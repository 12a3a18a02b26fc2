/**
 * End-to-end: every program in examples/ runs through the CLI on the bundled data, and its
 * output is checked against a direct single-process computation of the same thing (or, for
 * the estimates, against the known answer). Word count is checked in cli.test.ts.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mulberry32 } from "../../examples/lib/random.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const DATA = join(ROOT, "examples", "data");

function example(name: string, args: string[] = []): string[] {
  const r = spawnSync(process.execPath, [CLI, "--master", "local[2]", join("examples", name), ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `${name} failed:\n${r.stderr}`);
  return r.stdout.trim().split("\n");
}

const lines = (file: string) => readFileSync(join(DATA, file), "utf8").split("\n").filter((l) => l.trim().length > 0);
const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

test("every example has a test here", () => {
  const tested = ["wordcount.ts", "pi.ts", "sort.ts", "transitive-closure.ts", "pagerank.ts", "kmeans.ts", "logistic-regression.ts", "log-analysis.ts"];
  const present = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".ts")).sort();
  assert.deepEqual(present, [...tested].sort());
});

test("pi: the estimate is within 0.05 of pi", () => {
  const [out] = example("pi.ts", ["4"]);
  const estimate = Number(/^Pi is roughly (\S+)$/.exec(out!)![1]);
  near(estimate, Math.PI, 0.05, "pi");
});

test("sort: the first words in code-point order, and the longest distinct words", () => {
  const out = example("sort.ts", [join(DATA, "sample.txt"), "30"]);
  const words = readFileSync(join(DATA, "sample.txt"), "utf8").split(/\s+/).filter((w) => w.length > 0);
  // UTF-8 byte order is code-point order.
  const sorted = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  assert.equal(out[0], `# first 30 of ${words.length} words, sorted`);
  assert.deepEqual(out.slice(1, 31), sorted.slice(0, 30));
  // Ties in length may come in any order: check the lengths and that each word qualifies.
  const distinct = new Set(words.map((w) => w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, "")));
  const lengths = [...distinct].map((w) => w.length).sort((a, b) => b - a).slice(0, 5);
  const longest = /^# longest words: (.*)$/.exec(out[31]!)![1]!.split(", ").map((s) => /^(.*) \((\d+)\)$/.exec(s)!);
  assert.deepEqual(longest.map((m) => Number(m[2])), lengths);
  for (const m of longest) assert.ok(distinct.has(m[1]!) && m[1]!.length === Number(m[2]), m[0]);
});

test("transitive closure: as many paths as a single-process closure of the same graph", () => {
  const [out] = example("transitive-closure.ts");
  // The example's seeded graph: 200 distinct edges over 100 vertices.
  const random = mulberry32(42);
  const edges = new Map<string, [number, number]>();
  while (edges.size < 200) {
    const s = Math.floor(random() * 100);
    const d = Math.floor(random() * 100);
    if (s !== d) edges.set(`${s} ${d}`, [s, d]);
  }
  const out_ = new Map<number, number[]>();
  for (const [s, d] of edges.values()) out_.set(s, [...(out_.get(s) ?? []), d]);
  let paths = 0;
  for (let v = 0; v < 100; v++) {
    // Vertices reachable from v by one or more edges.
    const seen = new Set<number>();
    const stack = [...(out_.get(v) ?? [])];
    while (stack.length) {
      const u = stack.pop()!;
      if (seen.has(u)) continue;
      seen.add(u);
      stack.push(...(out_.get(u) ?? []));
    }
    paths += seen.size;
  }
  assert.match(out!, new RegExp(`^TC has ${paths} edges \\(\\d+ iterations\\)$`));
});

test("pagerank: the ranks of a single-process PageRank, highest first", () => {
  const out = example("pagerank.ts", [join(DATA, "links.txt"), "10"]);
  const links = new Map<string, Set<string>>();
  for (const l of lines("links.txt")) {
    const [s, d] = l.split(/\s+/) as [string, string];
    links.set(s, (links.get(s) ?? new Set()).add(d));
  }
  let ranks = new Map([...links.keys()].map((p) => [p, 1]));
  for (let i = 0; i < 10; i++) {
    const sums = new Map<string, number>();
    for (const [page, rank] of ranks) {
      const ns = links.get(page);
      if (ns) for (const n of ns) sums.set(n, (sums.get(n) ?? 0) + rank / ns.size);
    }
    ranks = new Map([...sums].map(([p, s]) => [p, 0.15 + 0.85 * s]));
  }
  const got = out.map((l) => /^(\S+) has rank: (\S+)\.$/.exec(l)!).map((m) => [m[1]!, Number(m[2])] as const);
  assert.equal(got.length, ranks.size);
  for (const [page, rank] of got) near(rank, ranks.get(page)!, 1e-9, page);
  for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]![1] >= got[i]![1], "highest first");
  const total = (rs: Iterable<number>) => [...rs].reduce((a, b) => a + b, 0);
  near(total(got.map(([, r]) => r)), total(ranks.values()), 1e-9, "sum of ranks");
});

test("k-means: the centers found are the generating centers (1, 1), (6, 8), (9, 2)", () => {
  const out = example("kmeans.ts", [join(DATA, "points.txt"), "3"]);
  assert.match(out[0]!, /^Final centers \(\d+ iterations\):$/);
  const centers = out.slice(1).map((l) => l.split(" ").map(Number));
  const expected = [[1, 1], [6, 8], [9, 2]];
  assert.equal(centers.length, 3);
  // 100 points per center with noise sd 0.6: each mean is within 0.2 of its center.
  centers.forEach((c, i) => c.forEach((x, j) => near(x, expected[i]![j]!, 0.2, `center ${i} coordinate ${j}`)));
});

test("logistic regression: the weights of single-process gradient descent, and a good fit", () => {
  const out = example("logistic-regression.ts", [join(DATA, "lr-data.txt"), "20"]);
  const vector = (l: string, label: string) => JSON.parse(l.slice(label.length)) as number[];
  const initial = vector(out[0]!, "Initial w: ");
  const final = vector(out[1]!, "Final w: ");
  const random = mulberry32(42);
  let w = [2 * random() - 1, 2 * random() - 1];
  assert.deepEqual(initial, w);
  const points = lines("lr-data.txt").map((l) => l.split(" ").map(Number)).map(([y, ...x]) => ({ y: y!, x }));
  const dot = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * b[i]!, 0);
  for (let i = 0; i < 20; i++) {
    const g = [0, 0];
    for (const { y, x } of points) {
      const scale = (1 / (1 + Math.exp(-y * dot(w, x))) - 1) * y;
      x.forEach((xi, j) => (g[j]! += scale * xi));
    }
    w = w.map((wi, j) => wi - g[j]! / points.length);
  }
  final.forEach((wi, j) => near(wi, w[j]!, 1e-9, `w[${j}]`));
  // The labels come from the line 1.5 x1 = 2 x2 with 5% flipped.
  const cosine = dot(final, [1.5, -2]) / (Math.hypot(...final) * 2.5);
  assert.ok(cosine > 0.99, `cosine ${cosine}`);
  const accuracy = Number(/^Training accuracy: (\S+) /.exec(out[2]!)![1]);
  assert.ok(accuracy >= 0.9, `accuracy ${accuracy}`);
});

test("log analysis: summaries by status and path written as text; malformed lines counted; an existing output is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-example-logs-"));
  try {
    const output = join(dir, "report");
    const out = example("log-analysis.ts", [join(DATA, "access.log"), output]);
    // A direct parse of the same file.
    const re = /^\S+ \S+ \S+ \[[^\]]+\] "\S+ (\S+) [^"]*" (\d{3}) (\d+|-) "[^"]*" "[^"]*"$/;
    const all = lines("access.log");
    const parsed = all.map((l) => re.exec(l)).filter((m) => m !== null);
    const tally = (key: (m: RegExpExecArray) => string) => {
      const t = new Map<string, [number, number]>();
      for (const m of parsed) {
        const [n, b] = t.get(key(m)) ?? [0, 0];
        t.set(key(m), [n + 1, b + (m[3] === "-" ? 0 : Number(m[3]))]);
      }
      return [...t];
    };
    const status = tally((m) => m[2]!).sort(([a], [b]) => Number(a) - Number(b));
    const paths = tally((m) => m[1]!).sort(([a, [n]], [b, [m]]) => m - n || Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const read = (name: string) => {
      assert.ok(existsSync(join(output, name, "_SUCCESS")), `${name}/_SUCCESS`);
      const parts = readdirSync(join(output, name)).filter((f) => f.startsWith("part-")).sort();
      return parts.flatMap((f) => readFileSync(join(output, name, f), "utf8").split("\n").filter((l) => l.length > 0));
    };
    const rows = (t: Array<[string, [number, number]]>) => t.map(([k, [n, b]]) => `${k}\t${n}\t${b}`);
    assert.deepEqual(read("status"), rows(status));
    assert.deepEqual(read("paths"), rows(paths));
    assert.equal(all.length - parsed.length, 2);
    assert.equal(out[0], `${parsed.length} requests, 2 malformed lines skipped`);
    assert.deepEqual(out.slice(1, 1 + status.length), status.map(([s, [n]]) => `status ${s}: ${n}`));

    // Running again into the same directory fails clearly and leaves the results as they were.
    const again = spawnSync(process.execPath, [CLI, "examples/log-analysis.ts", join(DATA, "access.log"), output], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /exists/);
    assert.deepEqual(read("status"), rows(status));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

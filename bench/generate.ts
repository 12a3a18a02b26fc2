/**
 * Deterministic benchmark data (seeded): a text corpus of Zipf-distributed words over a
 * large vocabulary (~10 words a line), a key/value file with about a million distinct keys,
 * and a small dimension table. Usage: generate.ts <dir> <textMB>
 */
import { createWriteStream, mkdirSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";

const [dir = "bench/data", mbArg = "200"] = process.argv.slice(2);
const textBytes = Number(mbArg) * 1024 * 1024;
mkdirSync(dir, { recursive: true });

let seed = 12345;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}

const VOCAB = 100_000;
const words = Array.from({ length: VOCAB }, (_, i) => {
  let s = "";
  let n = i + 1;
  while (n > 0) {
    s += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  }
  return s;
});
// Zipf(1.0): cumulative weights 1/rank, sampled by binary search.
const cdf = new Float64Array(VOCAB);
let acc = 0;
for (let i = 0; i < VOCAB; i++) cdf[i] = acc += 1 / (i + 1);
function zipfWord(): string {
  const x = rand() * acc;
  let lo = 0;
  let hi = VOCAB - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return words[lo]!;
}

async function writeLines(path: string, bytes: number, line: () => string): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  let lines = 0;
  let chunk: string[] = [];
  while (written < bytes) {
    const l = line();
    chunk.push(l);
    written += l.length + 1;
    lines++;
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join("\n") + "\n")) await once(out, "drain");
      chunk = [];
    }
  }
  out.write(chunk.length ? chunk.join("\n") + "\n" : "");
  out.end();
  await once(out, "finish");
  return lines;
}

const textPath = join(dir, `text-${mbArg}mb.txt`);
const kvPath = join(dir, `kv-${mbArg}mb.tsv`);
const dimPath = join(dir, "dim.tsv");
const meta: Record<string, number> = {};
if (!existsSync(textPath)) {
  meta.textLines = await writeLines(textPath, textBytes, () => {
    const n = 6 + Math.floor(rand() * 9);
    const ws = new Array<string>(n);
    for (let i = 0; i < n; i++) ws[i] = zipfWord();
    return ws.join(" ");
  });
}
if (!existsSync(kvPath)) {
  // About a million distinct keys; values are small integers.
  meta.kvLines = await writeLines(kvPath, textBytes / 2, () => `k${Math.floor(rand() * 1_000_000)}\t${Math.floor(rand() * 1000)}`);
}
if (!existsSync(dimPath)) {
  const rows: string[] = [];
  for (let i = 0; i < 1_000_000; i += 100) rows.push(`k${i}\tname-${i}`);
  writeFileSync(dimPath, rows.join("\n") + "\n");
}
console.log(JSON.stringify({ textPath, kvPath, dimPath, ...meta }));

/**
 * `npm run bench:serde [-- --size MB]`: how shuffle batches are best encoded, measured.
 * Encodes and decodes 4096-record batches of the benchmark's own records (W2's
 * [string, number] pairs, W4's [string, string] pairs, W1's [word, count] pairs) with V8
 * serialization, JSON, MessagePack (msgpackr, the fastest JS implementation) and tspark's
 * column layout (src/serde/record-batch.ts), and writes bench/SERDE.md: nanoseconds per
 * record to encode and to decode, and bytes per record, median of 5 passes. A second table
 * takes records the column layout does not hold (a join's values, objects, class instances):
 * V8's serialization as it is against tspark's, which checks each batch for class instances
 * and keeps their classes (src/serde/value-codec.ts): what keeping classes costs.
 */
import v8 from "node:v8";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import os from "node:os";
import { Packr } from "msgpackr";
import { encodeBatch, decodeBatch } from "../dist/serde/record-batch.js";
import { registerRecordClass } from "../dist/serde/record-classes.js";
import { median } from "./workloads/common.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { size: { type: "string", default: "50" } } });
const dataDir = join(ROOT, "bench", "data");
const kvPath = join(dataDir, `kv-${values.size}mb.tsv`);
const textPath = join(dataDir, `text-${values.size}mb.txt`);
if (!existsSync(kvPath) || !existsSync(textPath)) {
  const gen = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "generate.ts"), dataDir, String(values.size)], { encoding: "utf8" });
  if (gen.status !== 0) throw new Error(gen.stderr);
}

const BATCH = 4096;
const LIMIT = 1_000_000; // records per data set
const kvLines = readFileSync(kvPath, "utf8").split("\n", LIMIT).filter(Boolean);
const splitAt = (l: string) => l.indexOf("\t");
const datasets: Array<[string, unknown[][]]> = [
  ["[string, number] (W2 key/value)", batches(kvLines.map((l) => [l.slice(0, splitAt(l)), Number(l.slice(splitAt(l) + 1))]))],
  ["[string, string] (W4 key/value)", batches(kvLines.map((l) => [l.slice(0, splitAt(l)), l.slice(splitAt(l) + 1)]))],
  ["[word, count] (W1 after the map-side combine)", batches(countWords(readFileSync(textPath, "utf8").slice(0, 40e6)))],
  ["[string, number[]] (W6's groups, as spilled)", batches(groupByKey(kvLines))],
  ["[string, [string, string]] (a join's output)", batches(kvLines.map((l) => [l.slice(0, splitAt(l)), [l.slice(splitAt(l) + 1), "d"]]))],
];

/** A class of the user's, as records hold them. */
class Reading {
  constructor(
    readonly sensor: string,
    readonly value: number,
  ) {}
  scaled(f: number): number {
    return this.value * f;
  }
}
registerRecordClass("bench:Reading", Reading);
const kvSample = kvLines.slice(0, 400_000);
const otherDatasets: Array<[string, unknown[][]]> = [
  ["[string, [number, string or null]] (a left outer join's output)", batches(kvSample.map((l, i) => [l.slice(0, splitAt(l)), [i, i % 2 ? l.slice(splitAt(l) + 1) : null]]))],
  ["{ key, value, n } objects", batches(kvSample.map((l, i) => ({ key: l.slice(0, splitAt(l)), value: l.slice(splitAt(l) + 1), n: i })))],
  ["[string, Reading] (class instances)", batches(kvSample.map((l, i) => [l.slice(0, splitAt(l)), new Reading(l.slice(splitAt(l) + 1), i)]))],
];

function batches(records: unknown[]): unknown[][] {
  const out: unknown[][] = [];
  for (let i = 0; i < records.length; i += BATCH) out.push(records.slice(i, i + BATCH));
  return out;
}

function groupByKey(lines: string[]): Array<[string, number[]]> {
  const m = new Map<string, number[]>();
  for (const l of lines) {
    const k = l.slice(0, splitAt(l));
    const v = Number(l.slice(splitAt(l) + 1));
    const g = m.get(k);
    if (g) g.push(v);
    else m.set(k, [v]);
  }
  return [...m].slice(0, LIMIT);
}

function countWords(text: string): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const w of text.split(/[ \n]/)) if (w) m.set(w, (m.get(w) ?? 0) + 1);
  return [...m].slice(0, LIMIT);
}

interface Codec {
  name: string;
  encode: (records: unknown[]) => Uint8Array;
  decode: (bytes: Uint8Array) => unknown[];
}
const packr = new Packr({ useRecords: false });
const codecs: Codec[] = [
  { name: "V8 serialization", encode: (r) => v8.serialize(r), decode: (b) => v8.deserialize(b) as unknown[] },
  { name: "JSON (UTF-8)", encode: (r) => Buffer.from(JSON.stringify(r)), decode: (b) => JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8")) as unknown[] },
  { name: "MessagePack (msgpackr)", encode: (r) => packr.pack(r), decode: (b) => packr.unpack(b) as unknown[] },
  { name: "tspark column layout", encode: (r) => encodeBatch(r), decode: (b) => decodeBatch(b as Buffer) },
];

const otherCodecs: Codec[] = [
  { name: "V8 serialization (classes lost)", encode: (r) => v8.serialize(r), decode: (b) => v8.deserialize(b) as unknown[] },
  { name: "tspark (V8, classes kept)", encode: (r) => encodeBatch(r), decode: (b) => decodeBatch(b as Buffer) },
];

const rows = measure(datasets, codecs);
const otherRows = measure(otherDatasets, otherCodecs);

function measure(sets: Array<[string, unknown[][]]>, withCodecs: Codec[]): string[] {
  const rows: string[] = [];
  for (const [what, data] of sets) {
    const n = data.reduce((s, b) => s + b.length, 0);
    for (const c of withCodecs) {
      const enc: number[] = [];
      const dec: number[] = [];
      let bytes = 0;
      for (let pass = 0; pass < 5; pass++) {
        const t0 = performance.now();
        const encoded = data.map(c.encode);
        const t1 = performance.now();
        for (const e of encoded) c.decode(e);
        const t2 = performance.now();
        enc.push(((t1 - t0) * 1e6) / n);
        dec.push(((t2 - t1) * 1e6) / n);
        bytes = encoded.reduce((s, e) => s + e.byteLength, 0);
      }
      const check = c.decode(c.encode(data[0]!));
      if (JSON.stringify(check) !== JSON.stringify(data[0])) throw new Error(`${c.name} does not round-trip ${what}`);
      rows.push(`| ${what} | ${c.name} | ${median(enc).toFixed(0)} | ${median(dec).toFixed(0)} | ${(bytes / n).toFixed(1)} |`);
      console.error(rows[rows.length - 1]);
    }
  }
  return rows;
}

const report = `# Serialization of shuffle batches

Generated by \`npm run bench:serde -- --size ${values.size}\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}.
Batches of ${BATCH} records, up to ${LIMIT.toLocaleString("en-US")} records per kind, median of 5 passes; every codec's output is checked to round-trip.

| records | format | encode ns/record | decode ns/record | bytes/record |
| --- | --- | --- | --- | --- |
${rows.join("\n")}

Records the column layout does not hold (${kvSample.length.toLocaleString("en-US")} per kind): V8's serialization as it is, and tspark's, which looks for class instances in each batch and keeps their classes.

| records | format | encode ns/record | decode ns/record | bytes/record |
| --- | --- | --- | --- | --- |
${otherRows.join("\n")}
`;
writeFileSync(join(ROOT, "bench", "SERDE.md"), report);
console.log(report);

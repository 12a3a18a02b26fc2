// Input and output on Spark go through Spark's own Hadoop readers and committer, and the
// application is Spark's (test/e2e/spark-engine.test.ts checks what this prints).
import { SparkContext } from "tspark";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const sc = new SparkContext({ appName: "spark-io" });
const show = (label: string, v: unknown) => console.log(`${label} ${JSON.stringify(v)}`);
const dir = mkdtempSync(join(tmpdir(), "tspark-spark-io-"));
const visible = (d: string) => readdirSync(d).filter((f) => !f.startsWith(".")).sort();

// Spark's application, its id and web UI, from the constructor on (before any job).
show("applicationId", /^(app-\d+-\d+|local-\d+)$/.exec(sc.applicationId)?.[0].split("-")[0]);
const ui = sc.uiWebUrl;
show("ui", ui ? /Spark Jobs/.test(await (await fetch(`${ui}/jobs/`)).text()) : "no UI");

// bzip2 is a Hadoop codec tspark's own reader does not have: only Spark's readers read this.
const bz2 = join(import.meta.dirname, "..", "..", "fixtures", "spark-input", "lines.txt.bz2");
const bzLines = sc.textFile(bz2);
show("bzip2", [await bzLines.count(), await bzLines.first(), (await bzLines.collect()).at(-1)]);
// wholeTextFiles decompresses with Hadoop's codecs too; binaryFiles gives the file's bytes.
show("wholeTextFiles", (await sc.wholeTextFiles(bz2).collect()).map(([f, t]) => [f.startsWith("file:/") && f.endsWith("lines.txt.bz2"), t.split("\n").length]));
show("binaryFiles", (await sc.binaryFiles(bz2).collect()).map(([f, b]) => [f.endsWith("lines.txt.bz2"), b.length, b instanceof Uint8Array]));
writeFileSync(join(dir, "a.txt"), Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n");
writeFileSync(join(dir, "b.txt"), "b1\nb2\n");
show("file URL, glob", [await sc.textFile(pathToFileURL(join(dir, "a.txt")).href).count(), await sc.textFile(join(dir, "*.txt")).count()]);
const split = sc.textFile(join(dir, "a.txt"), 4);
show("splits", [split.getNumPartitions(), (await split.glom().map((p) => p.length).collect()).reduce((a, b) => a + b)]);
show("union of inputs", await sc.textFile(join(dir, "b.txt")).union(split).union(sc.textFile(join(dir, "b.txt"))).filter((l) => l.startsWith("b")).collect());
show("zipWithIndex", await sc.textFile(join(dir, "b.txt")).zipWithIndex().collect());
// Partitions reading several input partitions: tspark's worker reads Hadoop's splits of local files itself.
show("coalesce of input", await split.coalesce(2).glom().map((p) => p.length).collect().then((ns) => [ns.length, ns.reduce((a, b) => a + b)]));
show("zip of inputs", await sc.textFile(join(dir, "b.txt")).zip(sc.textFile(join(dir, "b.txt")).map((l) => l.length)).collect());
show("input and a collection", await sc.textFile(join(dir, "b.txt")).union(sc.parallelize(["p"], 1)).collect());
// Inputs mixed (each partition reads one): Spark reads its input, the collection's partition is planned.
show("bzip2 and a collection", await bzLines.union(sc.parallelize(["p"], 1)).count());
show("kinds of input mixed", await bzLines.map((l) => l.length).union(sc.wholeTextFiles(join(dir, "b.txt")).map(([, t]) => t.length)).count());
await bzLines.coalesce(1).count().catch((e: { code: string }) => show("coalesce of bzip2", e.code));

// A function capturing megabytes: its closure travels as a Spark broadcast, not in each task.
const big = Array.from({ length: 600_000 }, (_, i) => i * 2);
show("large closure", await sc.parallelize([0, 1, 2], 3).map((i) => big[i * 100_000]).collect());

// Output through Spark's committer, compressed, read back through Spark's readers.
const out = join(dir, "out");
const written = sc.accumulator(0);
await split.filter((l) => l.endsWith("99")).map((l) => {
  written.add(1);
  return { l };
}).saveAsTextFile(out, "gzip");
show("saved", [visible(out), (await sc.textFile(out).collect()).sort().slice(0, 2), written.value]);
await sc.parallelize([1], 1).saveAsTextFile(out).catch((e: { code: string }) => show("existing output", e.code));
const failed = join(dir, "failed");
await split.map((l) => { if (l === "line 4000") throw new Error("bad line"); return l; }).saveAsTextFile(failed).catch((e: { code: string }) => show("failed save", e.code));
show("failed save leaves", existsSync(failed) ? visible(failed) : "nothing");
// Spark's object file (a SequenceFile) of tspark's record batches: types kept.
const objects = join(dir, "objects");
await sc.parallelize([new Map([["k", 1n]]), new Date(0), { a: [1, undefined] }], 2).saveAsObjectFile(objects);
const back = await sc.objectFile(objects).collect();
show("object file", [readFileSync(join(objects, "part-00000")).subarray(0, 3).toString(), back.map((o) => (o instanceof Map ? [...o].map(([k, v]) => `${String(k)}=${typeof v}`) : o instanceof Date ? o.toISOString() : o))]);
await sc.textFile(join(dir, "missing")).count().catch((e: { code: string }) => show("missing input", e.code));
await sc.stop();

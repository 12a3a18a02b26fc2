/**
 * Reading input through the SparkContext: textFile with splits, directories, globs,
 * comma-separated lists and gzip; wholeTextFiles, binaryFiles, binaryRecords; clear errors.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { contractContext } from "../testing/contract-context.js";

const { sc, engine } = contractContext("input-test");
/** Spark's Hadoop readers take a directory's files in the filesystem's listing order (as PySpark does); tspark's engine sorts them. */
const inListingOrder = <T>(xs: T[]) => (engine === "spark" ? [...xs].sort() : xs);
const dir = mkdtempSync(join(tmpdir(), "tspark-input-"));
after(async () => {
  await sc.stop();
  rmSync(dir, { recursive: true, force: true });
});

const lines = Array.from({ length: 2000 }, (_, i) => `${i} ${"é日😀".repeat(i % 7)} line`);
const text = lines.join("\r\n") + "\r\n";
writeFileSync(join(dir, "big.txt"), text);
mkdirSync(join(dir, "logs"));
writeFileSync(join(dir, "logs", "a.log"), "a1\na2\n");
writeFileSync(join(dir, "logs", "b.log.gz"), gzipSync("b1\nb2\nb3"));
writeFileSync(join(dir, "logs", "_SUCCESS"), "");

test("textFile splits by minPartitions and reads every line once, unicode intact", async () => {
  for (const minPartitions of [1, 2, 7, 33]) {
    const rdd = sc.textFile(join(dir, "big.txt"), minPartitions);
    assert.ok(rdd.getNumPartitions() >= minPartitions, `${rdd.getNumPartitions()} >= ${minPartitions}`);
    assert.deepEqual(await rdd.collect(), lines, `minPartitions ${minPartitions}`);
  }
});

test("a file past the 32 MiB split cap is cut into equal splits, Hadoop's count rounded up to a multiple of the slots (on Spark too)", () => {
  // Sparse: counting partitions reads no data. Hadoop's rule cuts 32, 32 and 6 MiB, which
  // leaves one of two slots idle through most of a second wave; four equal splits do not.
  const big = join(dir, "sparse-70mib.txt");
  writeFileSync(big, "");
  truncateSync(big, 70 * 2 ** 20);
  assert.equal(sc.defaultParallelism, 2);
  assert.equal(sc.textFile(big).getNumPartitions(), 4);
  assert.equal(sc.textFile(big, 5).getNumPartitions(), 5, "a larger minPartitions is kept");
});

test("textFile: directories, globs, comma lists and gzip", async () => {
  assert.deepEqual(inListingOrder(await sc.textFile(join(dir, "logs")).collect()), ["a1", "a2", "b1", "b2", "b3"]);
  assert.deepEqual(await sc.textFile(join(dir, "logs", "*.gz")).collect(), ["b1", "b2", "b3"]);
  assert.deepEqual(await sc.textFile(`${join(dir, "logs", "a.log")},${join(dir, "logs", "b.log.gz")}`).count(), 5);
  assert.equal(sc.textFile(join(dir, "logs", "*.gz"), 8).getNumPartitions(), 1, "a gzip file is one split");
});

test("a path that matches nothing is a clear error at the action", async () => {
  const rdd = sc.textFile(join(dir, "missing", "*.txt"));
  await assert.rejects(rdd.count(), /matches 0 files/);
  await assert.rejects(sc.textFile(join(dir, "nope.txt")).collect(), /Input path does not exist/);
});

test("wholeTextFiles and binaryFiles give [file URL, content]", async () => {
  const files = await sc.wholeTextFiles(join(dir, "logs")).collect();
  // Hadoop's names on Spark (file:/dir/a.log, as PySpark gives them), file URLs on tspark's engine.
  const name = (path: string) => (engine === "spark" ? `file:${path}` : pathToFileURL(path).href);
  assert.deepEqual(inListingOrder(files), [
    [name(join(dir, "logs", "a.log")), "a1\na2\n"],
    [name(join(dir, "logs", "b.log.gz")), "b1\nb2\nb3"],
  ]);
  const bins = await sc.binaryFiles(join(dir, "logs", "a.log")).collect();
  assert.equal(bins.length, 1);
  assert.deepEqual(Buffer.from(bins[0]![1]).toString(), "a1\na2\n");
});

test("binaryRecords reads fixed-length records", async () => {
  const p = join(dir, "records.bin");
  writeFileSync(p, Buffer.from(Array.from({ length: 64 }, (_, i) => i)));
  const recs = await sc.binaryRecords(p, 8).map((r) => r[0]).collect();
  assert.deepEqual(recs, [0, 8, 16, 24, 32, 40, 48, 56]);
  await assert.rejects(sc.binaryRecords(p, 7).count(), /not a multiple of the record length/);
});

test("an empty file is an RDD with no records", async () => {
  const p = join(dir, "empty.txt");
  writeFileSync(p, "");
  assert.deepEqual(await sc.textFile(p).collect(), []);
  assert.equal(await sc.textFile(p).isEmpty(), true);
});

test("textFile in Latin-1 keeps every byte; as bytes, each line's own bytes; every split and gzip alike", async () => {
  // Latin-1 text (é is 0xE9, not valid UTF-8), CRLF lines, no final newline.
  const latin = Array.from({ length: 3000 }, (_, i) => `${i} caf\u00e9 ${"\u00ff".repeat(i % 5)}`);
  const bytes = Buffer.from(latin.join("\r\n"), "latin1");
  const p = join(dir, "latin1.txt");
  writeFileSync(p, bytes);
  writeFileSync(join(dir, "latin1.txt.gz"), gzipSync(bytes));
  for (const minPartitions of [1, 5]) {
    assert.deepEqual(await sc.textFile(p, { minPartitions, encoding: "latin1" }).collect(), latin, `${minPartitions} partitions`);
    const raw = await sc.textFile(p, { minPartitions, encoding: "bytes" }).collect();
    assert.ok(raw.every((b) => b instanceof Uint8Array));
    assert.deepEqual(raw.map((b) => Buffer.from(b).toString("latin1")), latin);
  }
  assert.deepEqual(await sc.textFile(join(dir, "latin1.txt.gz"), { encoding: "latin1" }).collect(), latin);
  assert.equal(await sc.textFile(p).first(), "0 caf\ufffd ", "UTF-8 by default: the byte is replaced");
  assert.throws(() => sc.textFile(p, { encoding: "utf16le" as "utf8" }), /textFile: encoding must be one of "utf8", "latin1", "bytes", got "utf16le"/);
});

test("textFile ends a line at \\n, \\r\\n or a lone \\r, as Spark's Hadoop reader does, in every split, encoding and gzip", async () => {
  // Old Mac, Windows and Unix lines mixed; "\r\n" pairs and lone "\r"s straddle split boundaries.
  const chunk = "unix\nwindows\r\nmac\rtwo cr\r\r\r\nend\n\r\n\r";
  const p = join(dir, "terminators.txt");
  writeFileSync(p, chunk.repeat(500));
  const once = ["unix", "windows", "mac", "two cr", "", "", "end", "", ""];
  const want = Array.from({ length: 500 }, () => once).flat();
  for (const minPartitions of [1, 3, 7, 50, 400]) {
    assert.deepEqual(await sc.textFile(p, minPartitions).collect(), want, `${minPartitions} partitions`);
    assert.deepEqual(await sc.textFile(p, { minPartitions, encoding: "latin1" }).collect(), want, `${minPartitions} partitions, latin1`);
    const raw = await sc.textFile(p, { minPartitions, encoding: "bytes" }).collect();
    assert.deepEqual(raw.map((b) => Buffer.from(b).toString("latin1")), want, `${minPartitions} partitions, bytes`);
  }
  // Which split reads a line: the one it starts in, or the split before if it starts at a split's first byte.
  const small = join(dir, "cr-splits.txt");
  // 14 bytes. In 2 splits of 7, the second starts at "cc", right after a "\r\n": the first reads "cc".
  // In splits of 3 (the last of 2): [0,3) ends right after a lone "\r"; [3,6) skips "bb" (which
  // [0,3) reads) and ends inside its "\r\n"; [6,9) starts at that "\n"; [9,12) at a lone "\r".
  writeFileSync(small, "aa\rbb\r\ncc\rddd\n");
  assert.deepEqual(await sc.textFile(small, 2).glom().collect(), [["aa", "bb", "cc"], ["ddd"]]);
  assert.deepEqual(await sc.textFile(small, 4).glom().collect(), [["aa", "bb"], [], ["cc"], ["ddd"], []]);
  const gz = join(dir, "terminators.txt.gz");
  writeFileSync(gz, gzipSync(chunk.repeat(500)));
  assert.deepEqual(await sc.textFile(gz).collect(), want);
  writeFileSync(join(dir, "ends-in-cr.txt"), "x\r\ry\r");
  assert.deepEqual(await sc.textFile(join(dir, "ends-in-cr.txt")).collect(), ["x", "", "y"]);
});

test("a truncated gzip file is an error naming the file and the compressed byte where that shows", async () => {
  const z = gzipSync(Array.from({ length: 20_000 }, (_, i) => `line ${i} ${(i * 7919).toString(36)}`).join("\n"));
  const p = join(dir, "truncated.txt.gz");
  writeFileSync(p, z.subarray(0, 40_000));
  // Where the data ends (or at the 8 bytes before, read as the member's CRC-32 and length, when the cut ends a deflate block).
  await assert.rejects(sc.textFile(p).collect(), (e: Error) => {
    const at = /gzip file (\S+): corrupt or truncated at compressed byte (\d+)/.exec(e.message);
    return at !== null && at[1] === p && Number(at[2]) >= 40_000 - 8 && Number(at[2]) <= 40_000;
  });
});

test("hostile input: a 50 MB line, invalid UTF-8, a file that vanished after planning", async () => {
  const p = join(dir, "hostile.txt");
  const huge = "q".repeat(50 * 1024 * 1024);
  writeFileSync(p, Buffer.concat([Buffer.from("before\n"), Buffer.from(huge), Buffer.from("\nbad "), Buffer.from([0xff, 0xfe]), Buffer.from(" bytes\nafter")]));
  const lens = await sc.textFile(p, 4).map((l) => l.length).collect();
  assert.deepEqual(lens, [6, huge.length, 12, 5]);
  assert.deepEqual(await sc.textFile(p).filter((l) => l.startsWith("bad")).collect(), ["bad \ufffd\ufffd bytes"]);
  const gone = join(dir, "gone.txt");
  writeFileSync(gone, "x\n");
  const rdd = sc.textFile(gone);
  assert.ok(rdd.getNumPartitions() >= 1); // the splits are planned now
  rmSync(gone);
  await assert.rejects(rdd.collect(), (e: Error) => /gone\.txt/.test(e.message) && /does not exist|ENOENT/i.test(e.message));
});

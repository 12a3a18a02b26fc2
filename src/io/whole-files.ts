/**
 * Whole-file inputs (wholeTextFiles, binaryFiles) and fixed-length binary records.
 */
import { readFileSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { FileSplit } from "./text-splits.js";
import { isGzip } from "./paths.js";
import { TsparkError } from "../errors.js";

/** A file's text (gzip decompressed), UTF-8 with invalid bytes replaced. */
export function readWholeTextFile(path: string): string {
  const raw = readFileSync(path);
  let bytes: Buffer = raw;
  if (isGzip(path)) {
    try {
      bytes = gunzipSync(raw);
    } catch (err) {
      throw new TsparkError("INVALID_ARGUMENT", `corrupt gzip file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  return bytes.toString("utf8");
}

export function readBinaryFile(path: string): Uint8Array {
  return readFileSync(path);
}

const RECORDS_PER_BATCH = 4096;

/** Splits for fixed-length records: split boundaries fall on record boundaries. */
export function planRecordSplits(paths: string[], recordLength: number, minPartitions: number): FileSplit[] {
  const sizes = paths.map((p) => statSync(p).size);
  paths.forEach((p, i) => {
    if (sizes[i]! % recordLength !== 0) {
      throw new TsparkError("INVALID_ARGUMENT", `binaryRecords: ${p} has ${sizes[i]} bytes, not a multiple of the record length ${recordLength}`);
    }
  });
  const totalRecords = sizes.reduce((a, s) => a + s / recordLength, 0);
  const perSplit = Math.max(1, Math.ceil(totalRecords / Math.max(1, minPartitions)));
  const splits: FileSplit[] = [];
  paths.forEach((path, i) => {
    const records = sizes[i]! / recordLength;
    for (let r = 0; r < records; r += perSplit) {
      splits.push({ path, start: r * recordLength, length: Math.min(perSplit, records - r) * recordLength });
    }
  });
  if (splits.length === 0) splits.push({ path: paths[0] ?? "", start: 0, length: 0 });
  return splits;
}

export function* readBinaryRecords(split: FileSplit, recordLength: number): Generator<Uint8Array[], void, undefined> {
  if (split.length === 0) return;
  const fd = openSync(split.path, "r");
  try {
    const batchBytes = recordLength * RECORDS_PER_BATCH;
    for (let pos = split.start; pos < split.start + split.length; pos += batchBytes) {
      const n = Math.min(batchBytes, split.start + split.length - pos);
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, pos + got);
        if (r === 0) throw new TsparkError("INVALID_ARGUMENT", `binaryRecords: ${split.path} ended early (was it truncated while reading?)`);
        got += r;
      }
      const batch: Uint8Array[] = [];
      for (let o = 0; o < n; o += recordLength) batch.push(buf.subarray(o, o + recordLength));
      yield batch;
    }
  } finally {
    closeSync(fd);
  }
}

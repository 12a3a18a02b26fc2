/**
 * Whole-file inputs (wholeTextFiles, binaryFiles) and fixed-length binary records
 * (binaryRecords). Readers are worker side and synchronous; planRecordSplits is driver side.
 */
import { readSync, closeSync, fstatSync, statSync } from "node:fs";
import { openForRead } from "../util/fs-errors.js";
import { constants as bufferConstants } from "node:buffer";
import { gunzipSync } from "node:zlib";
import type { FileSplit } from "./text-splits.js";
import { splitSizeFor, cutFile, BLOCK_SIZE } from "./text-splits.js";
import { isGzip } from "./paths.js";
import { TsparkError } from "../errors.js";

/** Reads exactly `into.length` bytes at `pos`; a short file is an error naming it. */
function readFully(fd: number, path: string, into: Uint8Array, pos: number): void {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, pos + got);
    if (n === 0) throw new TsparkError("INVALID_ARGUMENT", `${path} ended at byte ${pos + got}, before the ${into.length} bytes expected at ${pos} (was it truncated while being read?)`);
    got += n;
  }
}

/**
 * A file's bytes as a plain Uint8Array of exactly its size (not a Buffer: a view into
 * Node's shared pool would drag unrelated bytes along when serialized).
 */
export function readBinaryFile(path: string): Uint8Array {
  const fd = openForRead(path);
  try {
    const out = new Uint8Array(fstatSync(fd).size);
    readFully(fd, path, out, 0);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** A file's text (gzip decompressed), decoded as UTF-8 with invalid bytes as U+FFFD. */
export function readWholeTextFile(path: string): string {
  let bytes = Buffer.from(readBinaryFile(path).buffer);
  if (isGzip(path) && bytes.length > 0) {
    try {
      bytes = gunzipSync(bytes); // one-shot is right here: the whole text becomes one string anyway
    } catch (err) {
      throw new TsparkError("INVALID_ARGUMENT", `Cannot read gzip file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  // A string cannot hold more than ~512 Mi UTF-16 units; say so rather than fail obscurely.
  if (bytes.length > bufferConstants.MAX_STRING_LENGTH) {
    throw new TsparkError("INVALID_ARGUMENT", `${path}: ${bytes.length} bytes of text is too large for one string; read it with textFile instead`);
  }
  return bytes.toString("utf8");
}

function checkRecordLength(recordLength: number): void {
  if (!Number.isInteger(recordLength) || recordLength < 1) {
    throw new TsparkError("INVALID_ARGUMENT", `binaryRecords: recordLength must be a positive integer, got ${recordLength}`);
  }
}

/**
 * Splits for fixed-length records: the text rule (goal size, 32 MiB cap, 10% slop) counted
 * in whole records, so every boundary falls between records. A file whose size is not a
 * multiple of the record length is refused here, on the driver, before any task runs.
 */
export function planRecordSplits(paths: string[], recordLength: number, minPartitions: number): FileSplit[] {
  checkRecordLength(recordLength);
  const sizes = paths.map((p) => {
    try {
      return statSync(p).size;
    } catch (err) {
      throw new TsparkError("INPUT_NOT_FOUND", `Input path does not exist: ${p}`, { cause: err });
    }
  });
  paths.forEach((p, i) => {
    const size = sizes[i]!;
    if (size % recordLength !== 0) {
      throw new TsparkError("INVALID_ARGUMENT", `binaryRecords: ${p} has ${size} bytes, not a multiple of the record length ${recordLength}`);
    }
  });
  const totalRecords = sizes.reduce((a, s) => a + s / recordLength, 0);
  const recordsPerSplit = splitSizeFor(totalRecords, minPartitions, Math.max(1, Math.floor(BLOCK_SIZE / recordLength)));
  const splits: FileSplit[] = [];
  paths.forEach((path, i) => {
    for (const [first, count] of cutFile(sizes[i]! / recordLength, recordsPerSplit)) {
      splits.push({ path, start: first * recordLength, length: count * recordLength });
    }
  });
  if (splits.length === 0) splits.push({ path: "", start: 0, length: 0 });
  return splits;
}

/** About this many bytes are read per batch (at least one record). */
const RECORD_BATCH_BYTES = 1024 * 1024;
const RECORD_BATCH_MAX = 4096;

/**
 * The records of a split, in batches. Each batch is read into its own ArrayBuffer and its
 * records are views of it, so a kept record holds at most one batch (~1 MiB) alive.
 */
export function* readBinaryRecords(split: FileSplit, recordLength: number): Generator<Uint8Array[], void, undefined> {
  checkRecordLength(recordLength);
  if (split.length <= 0) return;
  if (split.start % recordLength !== 0 || split.length % recordLength !== 0) {
    throw new TsparkError("INVALID_ARGUMENT", `binaryRecords: split ${split.path}[${split.start}+${split.length}] is not aligned to the record length ${recordLength}`);
  }
  const perBatch = Math.max(1, Math.min(RECORD_BATCH_MAX, Math.floor(RECORD_BATCH_BYTES / recordLength)));
  const end = split.start + split.length;
  const fd = openForRead(split.path);
  try {
    for (let pos = split.start; pos < end; pos += perBatch * recordLength) {
      const n = Math.min(perBatch * recordLength, end - pos);
      const bytes = new Uint8Array(n);
      readFully(fd, split.path, bytes, pos);
      const batch: Uint8Array[] = [];
      for (let o = 0; o < n; o += recordLength) batch.push(bytes.subarray(o, o + recordLength));
      yield batch;
    }
  } finally {
    closeSync(fd);
  }
}

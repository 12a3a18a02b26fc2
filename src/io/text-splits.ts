/**
 * Cuts input files into byte-range splits, one per partition, as Hadoop's (mapred)
 * FileInputFormat does for PySpark's textFile. Driver side: only file sizes are read.
 *
 *   goalSize  = floor(totalSize / max(minPartitions, 1))
 *   splitSize = max(1, min(goalSize, 32 MiB))      (32 MiB: Hadoop's block size for local files)
 *   a file is cut into splitSize pieces while remaining / splitSize > 1.1 (SPLIT_SLOP), so
 *   a small tail joins the last split instead of becoming a tiny one.
 *
 * One difference, on tspark's engine: when the 32 MiB cap binds, the files are cut into about
 * as many splits as that rule gives, rounded up to a multiple of the default parallelism, of
 * equal size (exactly that many for one file; each of several files is cut into its share,
 * rounded). Hadoop's rule leaves a short last split (100 MiB: 32, 32, 32 and 4 MiB), so on
 * two slots one of them runs two full splits while the other idles through most of the
 * second wave; equal splits give every slot the same work. (On Spark, Spark's reader cuts
 * the splits: tspark asks it for this many, as minPartitions, when the driver sees the files.)
 *
 * A gzip file cannot be split: it is one split covering the whole (compressed) file.
 * An empty file is one empty split, as in Hadoop's mapred FileInputFormat (and Spark with
 * its default spark.files.ignoreEmptySplits=false); with no files at all we still return
 * one empty split, so every text RDD has at least one partition.
 */
import { statSync } from "node:fs";
import { isGzip } from "./paths.js";
import { TsparkError } from "../errors.js";

export interface FileSplit {
  path: string;
  /** Byte offset of the split in the file. */
  start: number;
  /** Bytes in the split; for a gzip file, its whole (compressed) size. */
  length: number;
}

export const BLOCK_SIZE = 32 * 1024 * 1024;
export const SPLIT_SLOP = 1.1;

/** Hadoop's computeSplitSize with its goal size, for `totalSize` bytes in `minPartitions`. */
export function splitSizeFor(totalSize: number, minPartitions: number, blockSize = BLOCK_SIZE): number {
  const goal = Math.floor(totalSize / Math.max(Math.floor(minPartitions), 1));
  return Math.max(1, Math.min(goal, blockSize));
}

/** [start, length] pieces of a file of `size` units, Hadoop's slop rule applied. */
export function cutFile(size: number, splitSize: number): Array<[number, number]> {
  if (size === 0) return [[0, 0]];
  const out: Array<[number, number]> = [];
  let remaining = size;
  while (remaining / splitSize > SPLIT_SLOP) {
    out.push([size - remaining, splitSize]);
    remaining -= splitSize;
  }
  out.push([size - remaining, remaining]);
  return out;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    throw new TsparkError("INPUT_NOT_FOUND", `Input path does not exist: ${path}`, { cause: err });
  }
}

/** Slice i of `length` units cut into `numSlices` (PySpark's parallelize rule): [i*n/k, (i+1)*n/k). */
export function sliceBounds(length: number, numSlices: number, i: number): [number, number] {
  return [Math.floor((i * length) / numSlices), Math.floor(((i + 1) * length) / numSlices)];
}

/** [start, length] pieces of a file of `size` bytes, `pieces` of them of equal size (to a byte). */
function cutEvenly(size: number, pieces: number): Array<[number, number]> {
  return Array.from({ length: pieces }, (_, i) => {
    const [a, b] = sliceBounds(size, pieces, i);
    return [a, b - a] as [number, number];
  });
}

/**
 * The splits of `paths`; `parallelism` (the default parallelism, 1 if not given) balances
 * large inputs, as the header says.
 */
export function planFileSplits(paths: string[], minPartitions: number, parallelism = 1): FileSplit[] {
  return plannedSplits(paths, minPartitions, parallelism).splits;
}

/**
 * How many equal splits tspark's engine cuts `paths` into where Hadoop's rule would cut
 * splits of the cap's size (what tspark asks Spark's reader for, as minPartitions); undefined
 * where it follows Hadoop's rule.
 */
export function balancedSplitCount(paths: string[], minPartitions: number, parallelism: number): number | undefined {
  const { splits, balanced } = plannedSplits(paths, minPartitions, parallelism);
  return balanced ? splits.length : undefined;
}

function plannedSplits(paths: string[], minPartitions: number, parallelism: number): { splits: FileSplit[]; balanced: boolean } {
  if (!Number.isFinite(minPartitions)) throw new TsparkError("INVALID_ARGUMENT", `minPartitions must be a number, got ${minPartitions}`);
  const sizes = paths.map(fileSize);
  const total = sizes.reduce((a, b) => a + b, 0);
  const splitSize = splitSizeFor(total, minPartitions);
  const cuts = paths.map((path, i) => (isGzip(path) ? undefined : cutFile(sizes[i]!, splitSize)));
  // The goal size over the cap: Hadoop's rule would cut splits of the cap's size.
  const balanced = parallelism > 1 && splitSizeFor(total, minPartitions, Infinity) > BLOCK_SIZE;
  if (balanced) {
    let count = 0;
    let splittable = 0;
    cuts.forEach((c, i) => {
      if (c === undefined) return;
      count += c.length;
      splittable += sizes[i]!;
    });
    const even = splittable / (Math.ceil(count / parallelism) * parallelism);
    cuts.forEach((c, i) => {
      if (c !== undefined && sizes[i]! > 0) cuts[i] = cutEvenly(sizes[i]!, Math.max(1, Math.round(sizes[i]! / even)));
    });
  }
  const splits: FileSplit[] = [];
  paths.forEach((path, i) => {
    const cut = cuts[i];
    if (cut === undefined) splits.push({ path, start: 0, length: sizes[i]! });
    else for (const [start, length] of cut) splits.push({ path, start, length });
  });
  if (splits.length === 0) splits.push({ path: "", start: 0, length: 0 });
  return { splits, balanced };
}

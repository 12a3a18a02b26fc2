/**
 * Splits input files into byte ranges, one per partition, as Hadoop's FileInputFormat does
 * for PySpark's textFile: a goal size of totalSize / minPartitions, at most one 32 MiB
 * block per split, and a 10% slop so a tiny tail joins the previous split. A gzip file
 * cannot be split: it is one split.
 */
import { statSync } from "node:fs";
import { isGzip } from "./paths.js";

export interface FileSplit {
  path: string;
  start: number;
  /** Bytes in the split; for a gzip file, its whole (compressed) size. */
  length: number;
}

const BLOCK_SIZE = 32 * 1024 * 1024;
const SPLIT_SLOP = 1.1;

export function planFileSplits(paths: string[], minPartitions: number): FileSplit[] {
  const sizes = paths.map((p) => statSync(p).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const goal = total / Math.max(minPartitions, 1);
  const splitSize = Math.max(1, Math.min(Math.floor(goal) || 1, BLOCK_SIZE));
  const splits: FileSplit[] = [];
  paths.forEach((path, i) => {
    const size = sizes[i]!;
    if (size === 0) return; // an empty file has no records (and no split, as Hadoop)
    if (isGzip(path)) {
      splits.push({ path, start: 0, length: size });
      return;
    }
    let remaining = size;
    while (remaining / splitSize > SPLIT_SLOP) {
      splits.push({ path, start: size - remaining, length: splitSize });
      remaining -= splitSize;
    }
    if (remaining > 0) splits.push({ path, start: size - remaining, length: remaining });
  });
  // An RDD always has at least one partition, even over empty input.
  if (splits.length === 0) splits.push({ path: paths[0] ?? "", start: 0, length: 0 });
  return splits;
}

/**
 * The reduce side's input: this partition's segment of every map output, read from the
 * map tasks' data files through their indexes, batch by batch.
 */
import { readFileSync, existsSync, rmSync } from "node:fs";
import { readFrames } from "./frame-file.js";
import { TsparkError } from "../errors.js";
import type { ShuffleMetrics } from "./task-resources.js";

export interface MapOutputLocation {
  dataPath: string;
  indexPath: string;
}

function segmentOf(loc: MapOutputLocation, partition: number): [number, number] {
  let index: Buffer;
  try {
    index = readFileSync(loc.indexPath);
  } catch (err) {
    throw new TsparkError("FETCH_FAILED", `shuffle output is missing: ${loc.indexPath} (${(err as Error).message})`, { cause: err });
  }
  const offsets = new Float64Array(index.buffer, index.byteOffset, index.byteLength / 8);
  if (partition + 1 >= offsets.length) throw new TsparkError("PROTOCOL", `shuffle index ${loc.indexPath} has no partition ${partition}`);
  return [offsets[partition]!, offsets[partition + 1]!];
}

export function* readShuffleBlocks(outputs: MapOutputLocation[], partition: number, metrics: Pick<ShuffleMetrics, "recordShuffleRead">): Generator<unknown[], void, undefined> {
  for (const loc of outputs) {
    const [start, end] = segmentOf(loc, partition);
    if (end <= start) continue;
    if (!existsSync(loc.dataPath)) throw new TsparkError("FETCH_FAILED", `shuffle output is missing: ${loc.dataPath}`);
    metrics.recordShuffleRead(end - start);
    try {
      yield* readFrames(loc.dataPath, start, end);
    } catch (err) {
      if (!(err instanceof TsparkError && err.code === "CORRUPT_FILE")) throw err;
      // A damaged map output is as good as lost: removed, the scheduler recomputes it from lineage.
      rmSync(loc.dataPath, { force: true });
      rmSync(loc.indexPath, { force: true });
      throw new TsparkError("FETCH_FAILED", `${err.message}; the map output is recomputed`, { cause: err });
    }
  }
}

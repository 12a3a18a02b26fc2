/**
 * The reduce side's input: this partition's segment of every map output, read from the map
 * tasks' data files batch by batch. The driver plans the segments from the sizes each map
 * task reported (segmentsOf), so a reduce task reads no index file and opens no file for an
 * empty segment: a shuffle of many small map outputs into many partitions has mostly those.
 */
import { rmSync } from "node:fs";
import { readFrames } from "./frame-file.js";
import { TsparkError } from "../errors.js";
import type { ShuffleMetrics } from "./task-resources.js";
import type { MapStatus } from "./shuffle-writer.js";

/** One map output's segment for one reduce partition: bytes [start, end) of its data file. */
export interface ShuffleSegment {
  dataPath: string;
  indexPath: string;
  start: number;
  end: number;
}

/** Where each reduce partition's segment of a map output starts (its last entry: where the output ends). */
const offsetsOfStatus = new WeakMap<MapStatus, Float64Array>();

function offsetsOf(status: MapStatus): Float64Array {
  let offsets = offsetsOfStatus.get(status);
  if (!offsets) {
    offsets = new Float64Array(status.segmentBytes.length + 1);
    for (let p = 0; p < status.segmentBytes.length; p++) offsets[p + 1] = offsets[p]! + status.segmentBytes[p]!;
    offsetsOfStatus.set(status, offsets);
  }
  return offsets;
}

/** The non-empty segments of reduce partition `partition` in these map outputs. */
export function segmentsOf(statuses: MapStatus[], partition: number): ShuffleSegment[] {
  const out: ShuffleSegment[] = [];
  for (const s of statuses) {
    if (partition >= s.segmentBytes.length) throw new TsparkError("PROTOCOL", `map output ${s.dataPath} has no partition ${partition}`);
    if (s.segmentBytes[partition] === 0) continue;
    const offsets = offsetsOf(s);
    out.push({ dataPath: s.dataPath, indexPath: s.indexPath, start: offsets[partition]!, end: offsets[partition + 1]! });
  }
  return out;
}

export function* readShuffleBlocks(segments: ShuffleSegment[], metrics: Pick<ShuffleMetrics, "recordShuffleRead">): Generator<unknown[], void, undefined> {
  for (const seg of segments) {
    metrics.recordShuffleRead(seg.end - seg.start);
    try {
      yield* readFrames(seg.dataPath, seg.start, seg.end);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new TsparkError("FETCH_FAILED", `shuffle output is missing: ${seg.dataPath}`, { cause: err });
      if (!(err instanceof TsparkError && err.code === "CORRUPT_FILE")) throw err;
      // A damaged map output is as good as lost: removed, the scheduler recomputes it from lineage.
      rmSync(seg.dataPath, { force: true });
      rmSync(seg.indexPath, { force: true });
      throw new TsparkError("FETCH_FAILED", `${err.message}; the map output is recomputed`, { cause: err });
    }
  }
}

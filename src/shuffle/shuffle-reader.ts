/**
 * The reduce side's input: this partition's segment of every map output, read from the map
 * tasks' data files batch by batch. The driver plans the segments from the sizes each map
 * task reported (segmentsOf), so a reduce task reads no index file and opens no file for an
 * empty segment: a shuffle of many small map outputs into many partitions has mostly those.
 */
import { rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readFrames } from "./frame-file.js";
import { TsparkError } from "../errors.js";
import type { ShuffleMetrics } from "./task-resources.js";
import type { MapStatus } from "./shuffle-writer.js";
import { MAP_OUTPUT_DATA, MAP_OUTPUT_INDEX } from "../storage/local-layout.js";

/**
 * One reduce partition's segments of a shuffle's map outputs, as columns: a reduce task's
 * plan carries it, so it costs a few bytes per map output (a file stem and two offsets)
 * where each segment as an object with both full paths cost about 200 bytes in every reduce
 * task's message and an object in the driver's heap while the stage's plans are built.
 */
export interface ShuffleSegments {
  /** The directory of the map outputs (a shuffle's are all in one). */
  dir: string;
  /** Each map output's file stem in `dir` (storage/local-layout.ts names its two files). */
  stems: string[];
  /** Bytes [starts[i], ends[i]) of the data file of stems[i]. */
  starts: Float64Array;
  ends: Float64Array;
}

export const NO_SEGMENTS: ShuffleSegments = { dir: "", stems: [], starts: new Float64Array(0), ends: new Float64Array(0) };

/** A map output's place, and where each reduce partition's segment starts (its last entry: where the output ends). */
interface OutputLayout {
  dir: string;
  stem: string;
  offsets: Float64Array;
}

const layoutOfStatus = new WeakMap<MapStatus, OutputLayout>();

function layoutOf(status: MapStatus): OutputLayout {
  let layout = layoutOfStatus.get(status);
  if (!layout) {
    const dir = dirname(status.dataPath);
    const stem = basename(status.dataPath, MAP_OUTPUT_DATA);
    if (join(dir, stem + MAP_OUTPUT_DATA) !== status.dataPath || join(dir, stem + MAP_OUTPUT_INDEX) !== status.indexPath) {
      throw new TsparkError("PROTOCOL", `map output ${status.dataPath} (index ${status.indexPath}) is not named as a shuffle writer names its files`);
    }
    const offsets = new Float64Array(status.segmentBytes.length + 1);
    for (let p = 0; p < status.segmentBytes.length; p++) offsets[p + 1] = offsets[p]! + status.segmentBytes[p]!;
    layout = { dir, stem, offsets };
    layoutOfStatus.set(status, layout);
  }
  return layout;
}

/** The non-empty segments of reduce partition `partition` in these map outputs. */
export function segmentsOf(statuses: MapStatus[], partition: number): ShuffleSegments {
  const stems: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let dir: string | undefined;
  for (const s of statuses) {
    if (partition >= s.segmentBytes.length) throw new TsparkError("PROTOCOL", `map output ${s.dataPath} has no partition ${partition}`);
    if (s.segmentBytes[partition] === 0) continue;
    const layout = layoutOf(s);
    dir ??= layout.dir;
    if (layout.dir !== dir) throw new TsparkError("PROTOCOL", `map outputs of one shuffle in two directories: ${dir} and ${layout.dir}`);
    stems.push(layout.stem);
    starts.push(layout.offsets[partition]!);
    ends.push(layout.offsets[partition + 1]!);
  }
  return dir === undefined ? NO_SEGMENTS : { dir, stems, starts: Float64Array.from(starts), ends: Float64Array.from(ends) };
}

/** The data files the segments read, in order. */
export function segmentDataPaths(segments: ShuffleSegments): string[] {
  return segments.stems.map((stem) => join(segments.dir, stem + MAP_OUTPUT_DATA));
}

export function* readShuffleBlocks(segments: ShuffleSegments, metrics: Pick<ShuffleMetrics, "recordShuffleRead">): Generator<unknown[], void, undefined> {
  const { dir, stems, starts, ends } = segments;
  const dataPaths = segmentDataPaths(segments);
  for (let i = 0; i < stems.length; i++) {
    const dataPath = dataPaths[i]!;
    metrics.recordShuffleRead(ends[i]! - starts[i]!);
    try {
      yield* readFrames(dataPath, starts[i]!, ends[i]!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new TsparkError("FETCH_FAILED", `shuffle output is missing: ${dataPath}`, { cause: err });
      if (!(err instanceof TsparkError && err.code === "CORRUPT_FILE")) throw err;
      // A damaged map output is as good as lost: removed, the scheduler recomputes it from lineage.
      rmSync(dataPath, { force: true });
      rmSync(join(dir, stems[i]! + MAP_OUTPUT_INDEX), { force: true });
      throw new TsparkError("FETCH_FAILED", `${err.message}; the map output is recomputed`, { cause: err });
    }
  }
}

/**
 * The map side of tspark's own shuffle: records routed, combined and buffered as
 * map-side-buffer.ts does; past the memory limit the buffers are spilled (one file holding
 * every partition's segment, in partition order). At the end the spills and what remains in
 * memory become one data file plus an index of segment offsets.
 *
 * Files in the making (spills, the data and index before their rename) are written in the
 * worker's own scratch directory, which the driver removes when the worker dies: a task
 * killed mid-write leaves nothing in the shuffle's directory.
 */
import { renameSync, rmSync } from "node:fs";
import { writeWholeFile, LOCAL_FILE } from "../util/fs-errors.js";
import { basename, join } from "node:path";
import { FrameFileWriter, readRange } from "./frame-file.js";
import type { BatchCodec } from "../serde/record-serializers.js";
import type { Aggregator } from "./aggregator.js";
import type { TaskResources } from "./task-resources.js";
import { MapSideBuffer } from "./map-side-buffer.js";
import { MAP_OUTPUT_DATA, MAP_OUTPUT_INDEX } from "../storage/local-layout.js";
import type { KeyFilterSpec } from "./key-filter.js";

/** What a map task reports: where its output is and how big each reduce segment is. */
export interface MapStatus {
  mapId: number;
  dataPath: string;
  indexPath: string;
  segmentBytes: number[];
  spills: number;
  spillBytes: number;
  /** A join's build side: the hashes of the keys written (`null`: too many), shuffle/key-filter.ts; the driver drops them once used. */
  keyHashes?: Int32Array | null;
  /** A join's probe side: the filter its records went through (set by the driver, scheduler/join-key-filters.ts). */
  keyFilter?: KeyFilterSpec;
}

/** Where segments of one spill file start: offsets[p] .. offsets[p + 1]. */
interface SpillFile {
  path: string;
  offsets: number[];
}

export class ShuffleWriter extends MapSideBuffer {
  private readonly spills: SpillFile[] = [];
  private spillBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly mapId: number,
    private readonly attempt: number,
    numPartitions: number,
    partitionOf: ((key: unknown) => number) | "hash",
    private readonly resources: Pick<TaskResources, "memoryBytes" | "metrics" | "spillDir">,
    aggregator?: Aggregator,
    codec?: BatchCodec,
  ) {
    super(numPartitions, partitionOf, resources, aggregator, codec);
  }

  /** A file in the making, in the worker's scratch directory (named by shuffle, map task and attempt). */
  private scratchPath(name: string): string {
    return join(this.resources.spillDir(), `${basename(this.dir)}-${name}`);
  }

  /** Writes every partition's buffered records to a new spill file (one segment per partition, in order). */
  protected spill(): void {
    const path = this.scratchPath(`spill-${this.mapId}-${this.attempt}-${this.spills.length}.tmp`);
    const w = new FrameFileWriter(path);
    const offsets = [0];
    for (let p = 0; p < this.numPartitions; p++) {
      this.takeFrames(p, (frame) => w.writeRaw(frame));
      offsets.push(w.position);
    }
    w.close();
    this.spills.push({ path, offsets });
    this.spillBytes += w.position;
    this.task.metrics.recordSpill(w.position);
  }

  /** Writes the final data file and index (atomically, by rename) and reports them. */
  commit(): MapStatus {
    const name = `map-${this.mapId}-${this.attempt}`;
    const dataPath = join(this.dir, name + MAP_OUTPUT_DATA);
    const indexPath = join(this.dir, name + MAP_OUTPUT_INDEX);
    const dataTmp = this.scratchPath(`${name}${MAP_OUTPUT_DATA}.tmp`);
    const indexTmp = this.scratchPath(`${name}${MAP_OUTPUT_INDEX}.tmp`);
    const offsets = [0];
    try {
      const w = new FrameFileWriter(dataTmp);
      for (let p = 0; p < this.numPartitions; p++) {
        for (const s of this.spills) {
          const a = s.offsets[p]!;
          const b = s.offsets[p + 1]!;
          if (b > a) w.writeRaw(readRange(s.path, a, b));
        }
        this.takeFrames(p, (frame) => w.writeRaw(frame));
        offsets.push(w.position);
      }
      w.close();
      for (const s of this.spills) rmSync(s.path, { force: true });
      writeWholeFile(indexTmp, Buffer.from(new Float64Array(offsets).buffer), LOCAL_FILE);
    } catch (err) {
      rmSync(dataTmp, { force: true });
      rmSync(indexTmp, { force: true });
      throw err;
    }
    renameSync(dataTmp, dataPath);
    renameSync(indexTmp, indexPath);
    const keyHashes = this.collectedKeyHashes();
    return {
      mapId: this.mapId,
      dataPath,
      indexPath,
      segmentBytes: offsets.slice(1).map((o, i) => o - offsets[i]!),
      spills: this.spills.length,
      spillBytes: this.spillBytes,
      ...(keyHashes !== undefined ? { keyHashes } : {}),
    };
  }

  /** Removes spill files after a failure. */
  abort(): void {
    for (const s of this.spills) rmSync(s.path, { force: true });
  }
}

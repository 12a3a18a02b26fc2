/**
 * The map side of tspark's own shuffle: records routed, combined and buffered as
 * map-side-buffer.ts does; past the memory limit the buffers are spilled (one file holding
 * every partition's segment, in partition order). At the end the spills and what remains in
 * memory become one data file plus an index of segment offsets.
 */
import { renameSync, rmSync } from "node:fs";
import { writeWholeFile, LOCAL_FILE } from "../util/fs-errors.js";
import { join } from "node:path";
import { FrameFileWriter, readRange } from "./frame-file.js";
import type { BatchCodec } from "../serde/record-serializers.js";
import type { Aggregator } from "./aggregator.js";
import type { TaskResources } from "./task-resources.js";
import { MapSideBuffer } from "./map-side-buffer.js";

/** What a map task reports: where its output is and how big each reduce segment is. */
export interface MapStatus {
  mapId: number;
  dataPath: string;
  indexPath: string;
  segmentBytes: number[];
  spills: number;
  spillBytes: number;
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
    task: Pick<TaskResources, "memoryBytes" | "metrics">,
    aggregator?: Aggregator,
    codec?: BatchCodec,
  ) {
    super(numPartitions, partitionOf, task, aggregator, codec);
  }

  /** Writes every partition's buffered records to a new spill file (one segment per partition, in order). */
  protected spill(): void {
    const path = join(this.dir, `spill-${this.mapId}-${this.attempt}-${this.spills.length}.tmp`);
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
    const base = join(this.dir, `map-${this.mapId}-${this.attempt}`);
    const dataPath = `${base}.data`;
    const indexPath = `${base}.index`;
    const offsets = [0];
    try {
      const w = new FrameFileWriter(`${dataPath}.tmp`);
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
      writeWholeFile(`${indexPath}.tmp`, Buffer.from(new Float64Array(offsets).buffer), LOCAL_FILE);
    } catch (err) {
      rmSync(`${dataPath}.tmp`, { force: true });
      rmSync(`${indexPath}.tmp`, { force: true });
      throw err;
    }
    renameSync(`${dataPath}.tmp`, dataPath);
    renameSync(`${indexPath}.tmp`, indexPath);
    return {
      mapId: this.mapId,
      dataPath,
      indexPath,
      segmentBytes: offsets.slice(1).map((o, i) => o - offsets[i]!),
      spills: this.spills.length,
      spillBytes: this.spillBytes,
    };
  }

  /** Removes spill files after a failure. */
  abort(): void {
    for (const s of this.spills) rmSync(s.path, { force: true });
  }
}

/**
 * The driver's record of shuffle map outputs: for each shuffle, where every map task's
 * output is. A reduce task gets its segments from it as it launches. A shuffle with missing
 * outputs (files lost) has exactly those map tasks run again, not the whole stage.
 */
import { existsSync } from "node:fs";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import { segmentsOf, type ShuffleSegments } from "../shuffle/shuffle-reader.js";
import { rewritePlan, type PartitionPlan } from "./plan.js";
import { TsparkError } from "../errors.js";

export class MapOutputTracker {
  /** Per shuffle: the status of each map task by map id (undefined = missing). */
  private readonly outputs = new Map<number, Array<MapStatus | undefined>>();

  /** Records map statuses; with `numMaps`, the first registration sizes the shuffle. */
  register(shuffleId: number, statuses: MapStatus[], numMaps: number): void {
    const all = this.outputs.get(shuffleId) ?? new Array<MapStatus | undefined>(numMaps).fill(undefined);
    for (const s of statuses) all[s.mapId] = s;
    this.outputs.set(shuffleId, all);
  }

  /** Forgets a shuffle (its files were removed). */
  unregister(shuffleId: number): void {
    this.outputs.delete(shuffleId);
  }

  /** Map ids whose output is not registered (all of them for an unknown shuffle). */
  missingMaps(shuffleId: number, numMaps: number): number[] {
    const all = this.outputs.get(shuffleId);
    if (!all) return Array.from({ length: numMaps }, (_, i) => i);
    return all.flatMap((s, i) => (s === undefined ? [i] : []));
  }

  /** Forgets map outputs whose files are gone; returns how many were lost. */
  checkFiles(shuffleId: number): number {
    const all = this.outputs.get(shuffleId);
    if (!all) return 0;
    let lost = 0;
    all.forEach((s, i) => {
      if (s && (!existsSync(s.dataPath) || !existsSync(s.indexPath))) {
        all[i] = undefined;
        lost++;
      }
    });
    return lost;
  }

  /**
   * What a reduce task of `partition` reads: the non-empty segments of every map output. A map
   * output found lost since the stage was planned (by another job reading the same shuffle)
   * fails the stage as a lost file does, and the job recomputes it.
   */
  segments(shuffleId: number, partition: number): ShuffleSegments {
    const all = this.outputs.get(shuffleId);
    if (!all || all.includes(undefined)) {
      const missing = all ? this.missingMaps(shuffleId, all.length) : [];
      const which = missing.length === 0 ? "all its map outputs" : `${missing.length} map output${missing.length === 1 ? "" : "s"} (${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""})`;
      throw new TsparkError("FETCH_FAILED", `shuffle ${shuffleId} lost ${which} after its reading stage was planned`);
    }
    return segmentsOf(all as MapStatus[], partition);
  }

  /** `plan` as its task carries it: each shuffle it reads with this partition's segments, from the map outputs registered now. */
  withSegments(plan: PartitionPlan): PartitionPlan {
    return rewritePlan(plan, (node) => (node.kind === "shuffle-read" ? { ...node, segments: this.segments(node.shuffleId, node.partition) } : undefined));
  }

  statuses(shuffleId: number): MapStatus[] | undefined {
    return this.outputs.get(shuffleId)?.filter((s): s is MapStatus => s !== undefined);
  }
}

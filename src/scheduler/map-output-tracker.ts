/**
 * The driver's record of finished shuffle map stages: for each shuffle, where every map
 * task's output is. Reduce tasks are planned from it; a shuffle absent here is computed
 * (or recomputed) by running its map stage.
 */
import { rmSync } from "node:fs";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import type { MapOutputLocation } from "../shuffle/shuffle-reader.js";

export class MapOutputTracker {
  private readonly outputs = new Map<number, MapStatus[]>();

  register(shuffleId: number, statuses: MapStatus[]): void {
    this.outputs.set(shuffleId, [...statuses].sort((a, b) => a.mapId - b.mapId));
  }

  has(shuffleId: number): boolean {
    return this.outputs.has(shuffleId);
  }

  locations(shuffleId: number): MapOutputLocation[] {
    const s = this.outputs.get(shuffleId);
    if (!s) throw new Error(`shuffle ${shuffleId} has no registered map outputs`);
    return s.map(({ dataPath, indexPath }) => ({ dataPath, indexPath }));
  }

  statuses(shuffleId: number): MapStatus[] | undefined {
    return this.outputs.get(shuffleId);
  }

  /** Forgets a shuffle (e.g. its files were lost) so its map stage runs again. */
  unregister(shuffleId: number): void {
    const s = this.outputs.get(shuffleId);
    this.outputs.delete(shuffleId);
    for (const m of s ?? []) {
      rmSync(m.dataPath, { force: true });
      rmSync(m.indexPath, { force: true });
    }
  }
}

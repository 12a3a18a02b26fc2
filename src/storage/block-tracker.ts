/**
 * The driver's view of cached blocks: which worker holds each partition of a persisted
 * RDD in memory, which are on disk. Tasks reading a block held in memory are steered to
 * its worker; the storage page of the UI reads the totals.
 */
import type { BlockUpdate } from "./block-store.js";
import { planNodes, type PartitionPlan } from "../scheduler/plan.js";

export interface BlockLocation {
  executorId: string;
  memory: boolean;
  disk: boolean;
  bytes: number;
}

export interface RddStorageInfo {
  rddId: number;
  cachedPartitions: number;
  memoryBytes: number;
  diskBytes: number;
}

export class BlockTracker {
  private readonly blocks = new Map<string, BlockLocation>();

  update(executorId: string, updates: BlockUpdate[]): void {
    for (const u of updates) {
      if (!u.memory && !u.disk) this.blocks.delete(u.blockId);
      else this.blocks.set(u.blockId, { executorId, memory: u.memory, disk: u.disk, bytes: u.bytes });
    }
  }

  /** A worker died: the blocks in its memory are gone (disk blocks remain readable). */
  executorLost(executorId: string): void {
    for (const [id, b] of this.blocks) {
      if (b.executorId !== executorId || !b.memory) continue;
      if (b.disk) b.memory = false;
      else this.blocks.delete(id);
    }
  }

  dropRdd(rddId: number): void {
    const prefix = `rdd_${rddId}_`;
    for (const id of [...this.blocks.keys()]) if (id.startsWith(prefix)) this.blocks.delete(id);
  }

  /** The worker holding in memory a block the plan reads, if any. */
  preferredExecutor(plan: PartitionPlan): string | undefined {
    for (const p of planNodes(plan)) {
      if (p.kind !== "cached") continue;
      const loc = this.blocks.get(p.blockId);
      if (loc?.memory) return loc.executorId;
    }
    return undefined;
  }


  /** The blocks of one RDD with where they are, by partition (the UI's storage detail). */
  blocksOf(rddId: number): Array<{ blockId: string; partition: number } & BlockLocation> {
    const prefix = `rdd_${rddId}_`;
    const out: Array<{ blockId: string; partition: number } & BlockLocation> = [];
    for (const [blockId, b] of this.blocks) if (blockId.startsWith(prefix)) out.push({ blockId, partition: Number(blockId.slice(prefix.length)), ...b });
    return out.sort((a, b) => a.partition - b.partition);
  }

  /** Per-RDD totals (for the storage page and tests). */
  storageInfo(): RddStorageInfo[] {
    const by = new Map<number, RddStorageInfo>();
    for (const [id, b] of this.blocks) {
      const rddId = Number(id.split("_")[1]);
      const info = by.get(rddId) ?? { rddId, cachedPartitions: 0, memoryBytes: 0, diskBytes: 0 };
      info.cachedPartitions++;
      if (b.memory) info.memoryBytes += b.bytes;
      else if (b.disk) info.diskBytes += b.bytes;
      by.set(rddId, info);
    }
    return [...by.values()].sort((a, b) => a.rddId - b.rddId);
  }
}

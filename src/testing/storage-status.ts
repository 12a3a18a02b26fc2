/** What tests read of persisted RDDs: what the engine keeps of one, in memory and on disk. */
import type { SparkContext } from "../api/context.js";
import type { RDD } from "../api/rdd.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import type { RddStorageInfo } from "../storage/block-tracker.js";

/**
 * What the engine keeps of `rdd` (nothing: zeros), once `holds` is true of it, or as it is
 * after `ms`: a test waits for the state it expects, as an engine's account of its blocks
 * may trail them by a moment.
 */
export async function storageOf(sc: SparkContext, rdd: RDD<unknown>, holds: (info: RddStorageInfo) => boolean, ms = 20_000): Promise<RddStorageInfo> {
  const end = Date.now() + ms;
  for (;;) {
    const info = (await runtimeOf(sc).storageInfo()).find((s) => s.rddId === rdd.id) ?? { rddId: rdd.id, cachedPartitions: 0, memoryBytes: 0, diskBytes: 0 };
    if (holds(info) || Date.now() >= end) return info;
    await new Promise((r) => setTimeout(r, 100));
  }
}

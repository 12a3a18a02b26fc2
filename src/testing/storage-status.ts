/** What tests read of persisted RDDs: what the engine keeps of one, in memory and on disk. */
import type { SparkContext } from "../api/context.js";
import type { RDD } from "../api/rdd.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import type { RddStorageInfo } from "../storage/block-tracker.js";
import { waitUntil } from "./processes.js";

/**
 * What the engine keeps of `rdd` (nothing: zeros), once `holds` is true of it, or as it is
 * after `ms`: a test waits for the state it expects, as an engine's account of its blocks
 * may trail them by a moment.
 */
export async function storageOf(sc: SparkContext, rdd: RDD<unknown>, holds: (info: RddStorageInfo) => boolean, ms = 20_000): Promise<RddStorageInfo> {
  const none: RddStorageInfo = { rddId: rdd.id, cachedPartitions: 0, memoryBytes: 0, diskBytes: 0 };
  let info = none;
  await waitUntil(async () => {
    info = (await runtimeOf(sc).storageInfo()).find((s) => s.rddId === rdd.id) ?? none;
    return holds(info);
  }, ms);
  return info;
}

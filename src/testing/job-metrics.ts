/** What tests read of the jobs a context ran: its newest job's stages, and one task metric summed over them. */
import type { SparkContext } from "../api/context.js";
import { runtimeOf } from "../driver/runtime-registry.js";

/** The stage ids of the context's newest job, as the engine's status tracker lists them. */
function lastJobStageIds(sc: SparkContext): number[] {
  const tracker = sc.statusTracker();
  return tracker.getJobInfo(Math.max(...tracker.getJobIdsForGroup(undefined)))!.stageIds;
}

/** `metric` summed over every stage of the context's newest job, as its tasks reported it (on either engine). */
export function lastJobMetric(sc: SparkContext, metric: "broadcastBytesRead" | "shuffleWriteBytes"): number {
  return lastJobStageIds(sc).reduce((sum, id) => sum + (runtimeOf(sc).stageMetrics(id)?.[metric] ?? 0), 0);
}

/** The names of the newest job's stages (each named after its operation's call site), sorted. */
export function lastJobStageNames(sc: SparkContext): string[] {
  const tracker = sc.statusTracker();
  return lastJobStageIds(sc).map((id) => tracker.getStageInfo(id)?.name ?? `stage ${id} (unknown)`).sort();
}

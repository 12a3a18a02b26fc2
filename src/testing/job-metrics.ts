/** What tests read of the jobs a context ran: one task metric summed over the stages of its newest job. */
import type { SparkContext } from "../api/context.js";
import { runtimeOf } from "../driver/runtime-registry.js";

/** `metric` summed over every stage of the context's newest job, as its tasks reported it (on either engine). */
export function lastJobMetric(sc: SparkContext, metric: "broadcastBytesRead" | "shuffleWriteBytes"): number {
  const tracker = sc.statusTracker();
  const job = tracker.getJobInfo(Math.max(...tracker.getJobIdsForGroup(undefined)))!;
  return job.stageIds.reduce((sum, id) => sum + (runtimeOf(sc).stageMetrics(id)?.[metric] ?? 0), 0);
}

/**
 * Runs jobs: cuts an action's lineage into stages (today every stage is a result stage;
 * shuffle boundaries add map stages), launches one task per partition on the backend,
 * retries failed tasks up to `tspark.task.maxFailures`, and fails the job with the user's
 * own error when a task runs out of attempts.
 */
import type { ExecutorBackend, TaskResult } from "../executor/backend.js";
import type { ClosureId, PartitionPlan } from "./plan.js";
import { closureIdsOf } from "./plan.js";
import { describeRemoteError, reviveRemoteError } from "./task-error.js";
import { TsparkError } from "../errors.js";

export interface JobSpec {
  /** The plan of each partition to compute (the action's steps included). */
  plans: Array<{ partition: number; plan: PartitionPlan }>;
  closureBytes: ReadonlyMap<ClosureId, Uint8Array>;
  /** Whether results count against tspark.driver.maxResultSize. */
  countResultSize: boolean;
  localProperties?: Record<string, string>;
}

export interface SchedulerLimits {
  maxFailures: number;
  maxResultSize: number;
  maxResultSizeText: string;
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

export class DAGScheduler {
  private nextJobId = 0;
  private nextStageId = 0;
  private nextTaskId = 0;

  constructor(private readonly backend: ExecutorBackend, private readonly limits: SchedulerLimits) {}

  /** Runs one job; resolves with each planned partition's output records, in plan order. */
  async runJob(spec: JobSpec): Promise<unknown[][]> {
    const jobId = this.nextJobId++;
    const stageId = this.nextStageId++;
    const results: unknown[][] = new Array<unknown[]>(spec.plans.length);
    let aborted: Error | undefined;
    let resultBytes = 0;
    let next = 0;

    const runOne = async (index: number): Promise<void> => {
      const { partition, plan } = spec.plans[index]!;
      const closureIds = [...closureIdsOf(plan)];
      let last: Extract<TaskResult, { ok: false }> | undefined;
      for (let attempt = 0; attempt < this.limits.maxFailures; attempt++) {
        if (aborted) return;
        const taskId = this.nextTaskId++;
        const r = await this.backend.runTask(
          { taskId, jobId, stageId, partition, attempt, plan, localProperties: spec.localProperties ?? {} },
          closureIds,
          spec.closureBytes,
        );
        if (r.ok) {
          if (spec.countResultSize) {
            resultBytes += r.resultBytes;
            if (this.limits.maxResultSize > 0 && resultBytes > this.limits.maxResultSize) {
              throw new TsparkError(
                "INVALID_ARGUMENT",
                `Job ${jobId} aborted: the results sent to the driver so far (${formatBytes(resultBytes)}) exceed tspark.driver.maxResultSize (${this.limits.maxResultSizeText}). ` +
                  "Use rdd.toLocalIterator() to stream results one partition at a time, rdd.saveAsTextFile() to write them out, or raise tspark.driver.maxResultSize.",
              );
            }
          }
          results[index] = r.records;
          return;
        }
        last = r;
      }
      if (aborted || !last) return;
      const attempts = this.limits.maxFailures;
      const loss = last.lostWorker;
      const why = loss
        ? `${last.error.message}` + (loss.stderrTail.length ? `; its last stderr lines:\n    ${loss.stderrTail.join("\n    ")}` : "")
        : describeRemoteError(last.error);
      throw new TsparkError(
        loss ? "WORKER_LOST" : "TASK_FAILED",
        `Job ${jobId} failed: task for partition ${partition} of stage ${stageId} failed ${attempts} time${attempts === 1 ? "" : "s"}; most recent failure (attempt ${attempts - 1}):\n  ${why}`,
        { cause: loss ? undefined : reviveRemoteError(last.error) },
      );
    };

    // At most `slots` tasks of this job in flight: a failed job stops launching at once,
    // and concurrent jobs interleave on the workers.
    const lane = async (): Promise<void> => {
      while (!aborted && next < spec.plans.length) {
        const i = next++;
        try {
          await runOne(i);
        } catch (err) {
          aborted ??= err as Error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.backend.slots, spec.plans.length) }, lane));
    if (aborted) throw aborted;
    return results;
  }
}

/**
 * Runs one stage's tasks (Spark's TaskScheduler): one task per partition on the backend (at
 * most `slots` of a stage at once, so concurrent jobs interleave on the workers), a failed
 * task retried up to `tspark.task.maxFailures`, the job failed with the user's own error when
 * a task runs out of attempts, a cancelled job's tasks killed or never launched, barrier
 * stages launched and retried as a whole. Which stages a job runs is the DAGScheduler's call.
 */
import type { ExecutorBackend, TaskResult } from "../backend/backend.js";
import type { ClassTable, ClosureId, PartitionPlan } from "./plan.js";
import type { CustomSerializerSpec } from "../serde/record-serializers.js";
import { closureIdsOf } from "./plan.js";
import { describeRemoteError, failsEveryAttempt, reviveRemoteError } from "./task-error.js";
import { TsparkError } from "../errors.js";
import { formatBytes } from "../util/format.js";
import { BarrierCoordinator } from "./barrier-coordinator.js";
import { ListenerBus, type TaskResultStatus } from "./listener-bus.js";
import { addTaskMetrics, emptyStageMetrics, type JobState, type StageState } from "./job.js";

export interface StageSpec {
  /** What the stage computes, for the UI and status tracker (e.g. "count at app.ts:12"). */
  name: string;
  /** A shuffle's map stage: the shuffle's id. */
  shuffleId?: number;
  /** The plan of each partition to compute (the action's steps included). */
  plans: Array<{ partition: number; plan: PartitionPlan }>;
  closureBytes: ReadonlyMap<ClosureId, Uint8Array>;
  /** The record classes its tasks may decode (JobPlanner.recordClassTable). */
  classes: ClassTable;
  /** The user's serializers its plans name (JobPlanner.serializerTable). */
  serializers: CustomSerializerSpec[];
  /** Where the user's program made the RDD whose records the stage emits (`app.ts:12`), for errors about them. */
  recordsMadeAt?: string;
  /** Whether results count against tspark.driver.maxResultSize. */
  countResultSize: boolean;
  /** A barrier stage: all tasks start together; one failure retries the whole stage. */
  barrier?: boolean;
}

/** The closures a task's worker must hold: its plan's, its record classes' and its serializers'. */
function taskClosureIds(plan: PartitionPlan, spec: StageSpec): ClosureId[] {
  const ids = closureIdsOf(plan);
  for (const [, closure] of spec.classes) ids.add(closure);
  for (const s of spec.serializers) ids.add(s.encode).add(s.decode);
  return [...ids];
}

export interface SchedulerLimits {
  maxFailures: number;
  maxResultSize: number;
  /** The limit as the error names it, e.g. `tspark.driver.maxResultSize (1g)`. */
  maxResultSizeText: string;
}

/** What the task scheduler asks of, and tells, the rest of the driver. */
export interface TaskSchedulerHooks {
  /** The executor a task should run on (it holds the task's cached input), if any. */
  preferredExecutor?(plan: PartitionPlan): string | undefined;
  /** Every finished task attempt, successful or not (block updates, accumulators, metrics). */
  taskEnded?(result: TaskResult, stage: StageState): void;
}

export class TaskScheduler {
  private nextStageId = 0;
  private nextTaskId = 0;
  readonly stages = new Map<number, StageState>();
  readonly barriers = new BarrierCoordinator();

  constructor(
    private readonly backend: ExecutorBackend,
    private readonly limits: SchedulerLimits,
    private readonly hooks: TaskSchedulerHooks = {},
    /** Where job, stage and task events go (the web UI, the event log). */
    readonly bus: ListenerBus = new ListenerBus(),
  ) {}

  /** Tells the hooks and the listeners that a task attempt ended. */
  private taskEnded(r: TaskResult, stage: StageState, job: JobState, taskId: number, partition: number, attempt: number): void {
    this.hooks.taskEnded?.(r, stage);
    if (!this.bus.hasListeners) return;
    let status: TaskResultStatus = "SUCCESS";
    let error: string | undefined;
    if (!r.ok) {
      status = r.error.code === "JOB_CANCELLED" || job.cancelled ? "KILLED" : "FAILED";
      error = r.lostWorker
        ? r.error.message + (r.lostWorker.stderrTail.length ? `; its last stderr lines:\n    ${r.lostWorker.stderrTail.join("\n    ")}` : "")
        : describeRemoteError(r.error);
    }
    const metrics = r.metrics && { ...r.metrics, resultBytes: r.ok ? r.resultBytes : 0 };
    this.bus.post({ event: "taskEnd", taskId, stageId: stage.stageId, partition, attempt, executorId: r.executorId, status, metrics, error });
  }

  private stageEnded(stage: StageState, status: "COMPLETE" | "FAILED", err?: unknown): void {
    stage.status = status;
    stage.completionTime = Date.now();
    const failureReason = err === undefined ? undefined : err instanceof Error ? err.message : String(err);
    this.bus.post({ event: "stageCompleted", time: stage.completionTime, stageId: stage.stageId, result: status, failureReason });
  }

  private launched(taskId: number, stageId: number, partition: number, attempt: number): (executorId: string) => void {
    return (executorId) => this.bus.post({ event: "taskStart", taskId, stageId, partition, attempt, executorId });
  }

  /** Cancels a task (see ExecutorBackend.killTask). */
  killTask(taskId: number, interruptRunning?: boolean): void {
    this.backend.killTask(taskId, interruptRunning);
  }

  /** Runs one stage of a job; resolves with each planned partition's output records, in plan order. */
  async runStage(job: JobState, spec: StageSpec): Promise<unknown[][]> {
    if (job.cancelled) throw job.cancelled;
    const stage: StageState = {
      stageId: this.nextStageId++,
      jobId: job.jobId,
      name: spec.name,
      numTasks: spec.plans.length,
      numActiveTasks: 0,
      numCompletedTasks: 0,
      numFailedTasks: 0,
      status: "ACTIVE",
      submissionTime: Date.now(),
      completionTime: undefined,
      metrics: emptyStageMetrics(),
    };
    this.stages.set(stage.stageId, stage);
    job.stageIds.push(stage.stageId);
    this.bus.post({ event: "stageSubmitted", time: stage.submissionTime, stageId: stage.stageId, jobId: job.jobId, name: spec.name, numTasks: stage.numTasks, ...(spec.shuffleId !== undefined ? { shuffleId: spec.shuffleId } : {}) });
    if (spec.barrier) return this.runBarrierStage(job, stage, spec);
    const results: unknown[][] = new Array<unknown[]>(spec.plans.length);
    let aborted: Error | undefined;
    let resultBytes = 0;
    let next = 0;

    const runOne = async (index: number): Promise<void> => {
      const { partition, plan } = spec.plans[index]!;
      const closureIds = taskClosureIds(plan, spec);
      let last: Extract<TaskResult, { ok: false }> | undefined;
      for (let attempt = 0; attempt < this.limits.maxFailures; attempt++) {
        if (aborted) return;
        if (job.cancelled) throw job.cancelled;
        const taskId = this.nextTaskId++;
        job.runningTasks.add(taskId);
        stage.numActiveTasks++;
        let r: TaskResult;
        try {
          r = await this.backend.runTask(
            { taskId, jobId: job.jobId, stageId: stage.stageId, partition, attempt, plan, classes: spec.classes, serializers: spec.serializers, localProperties: job.props.localProperties },
            closureIds,
            spec.closureBytes,
            this.hooks.preferredExecutor?.(plan),
            this.launched(taskId, stage.stageId, partition, attempt),
          );
        } finally {
          job.runningTasks.delete(taskId);
          stage.numActiveTasks--;
        }
        this.taskEnded(r, stage, job, taskId, partition, attempt);
        if (r.ok) {
          stage.numCompletedTasks++;
          addTaskMetrics(stage.metrics, r.metrics, r.resultBytes);
          if (spec.countResultSize) {
            resultBytes += r.resultBytes;
            if (this.limits.maxResultSize > 0 && resultBytes > this.limits.maxResultSize) {
              throw new TsparkError(
                "INVALID_ARGUMENT",
                `Job ${job.jobId} aborted: the results sent to the driver so far (${formatBytes(resultBytes)}) exceed ${this.limits.maxResultSizeText}. ` +
                  "Use rdd.toLocalIterator() to stream results one partition at a time, rdd.saveAsTextFile() to write them out, or raise the limit.",
              );
            }
          }
          results[index] = r.records;
          return;
        }
        stage.numFailedTasks++;
        if (job.cancelled) throw job.cancelled; // a task killed by the cancellation: no retry
        // Lost shuffle input: retrying the task cannot help; the driver recomputes the map outputs.
        if (r.error.code === "FETCH_FAILED") throw new TsparkError("FETCH_FAILED", `stage ${stage.stageId}: ${r.error.message}`);
        if (failsEveryAttempt(r.error)) {
          const made = spec.recordsMadeAt ? ` (the records of the RDD made at ${spec.recordsMadeAt})` : "";
          throw new TsparkError("UNSERIALIZABLE", `Job ${job.jobId} failed: task for partition ${partition} of stage ${stage.stageId}${made}: ${r.error.message}`);
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
        `Job ${job.jobId} failed: task for partition ${partition} of stage ${stage.stageId} failed ${attempts} time${attempts === 1 ? "" : "s"}; most recent failure (attempt ${attempts - 1}):\n  ${why}`,
        { cause: loss ? undefined : reviveRemoteError(last.error) },
      );
    };

    const lane = async (): Promise<void> => {
      while (!aborted && !job.cancelled && next < spec.plans.length) {
        const i = next++;
        try {
          await runOne(i);
        } catch (err) {
          aborted ??= err as Error;
        }
      }
    };
    const lanes = Promise.all(Array.from({ length: Math.min(this.backend.slots, spec.plans.length) }, lane));
    try {
      // A cancelled job fails at once; its running tasks finish (or are killed) in the background.
      await Promise.race([lanes, job.cancelSignal]);
      if (aborted) throw aborted;
      if (job.cancelled) throw job.cancelled;
    } catch (err) {
      this.stageEnded(stage, "FAILED", err);
      throw err;
    }
    this.stageEnded(stage, "COMPLETE");
    return results;
  }

  /**
   * A barrier stage: every task is launched at once (there must be a slot for each); if any
   * fails, the others are killed and the whole stage runs again, up to maxFailures times.
   */
  private async runBarrierStage(job: JobState, stage: StageState, spec: StageSpec): Promise<unknown[][]> {
    const n = spec.plans.length;
    if (n > this.backend.slots) {
      const err = new TsparkError("INVALID_ARGUMENT", `Barrier stage ${stage.stageId} needs ${n} tasks running together but there are only ${this.backend.slots} worker slots; use fewer partitions (coalesce) or a larger master`);
      this.stageEnded(stage, "FAILED", err);
      throw err;
    }
    let lastError: string | undefined;
    for (let stageAttempt = 0; stageAttempt < this.limits.maxFailures; stageAttempt++) {
      if (job.cancelled) break;
      const taskIds = spec.plans.map(() => this.nextTaskId++);
      let failed = false;
      const runs = spec.plans.map(async ({ partition, plan }, i) => {
        const taskId = taskIds[i]!;
        job.runningTasks.add(taskId);
        stage.numActiveTasks++;
        try {
          const r = await this.backend.runTask(
            { taskId, jobId: job.jobId, stageId: stage.stageId, partition, attempt: stageAttempt, plan, classes: spec.classes, serializers: spec.serializers, localProperties: job.props.localProperties, barrier: { numTasks: n, stageAttempt } },
            taskClosureIds(plan, spec),
            spec.closureBytes,
            undefined,
            this.launched(taskId, stage.stageId, partition, stageAttempt),
          );
          this.taskEnded(r, stage, job, taskId, partition, stageAttempt);
          if (!r.ok) {
            stage.numFailedTasks++;
            if (!failed) {
              failed = true;
              lastError = r.lostWorker ? r.error.message : describeRemoteError(r.error);
              // One task failed: the others would wait at the barrier forever (not at a batch boundary: killed at once).
              for (const other of taskIds) if (other !== taskId) this.backend.killTask(other, true, 0);
            }
            return undefined;
          }
          stage.numCompletedTasks++;
          return r.records;
        } finally {
          job.runningTasks.delete(taskId);
          stage.numActiveTasks--;
        }
      });
      const results = await Promise.race([Promise.all(runs), job.cancelSignal]);
      this.barriers.clear(stage.stageId, stageAttempt);
      if (!failed) {
        this.stageEnded(stage, "COMPLETE");
        return results as unknown[][];
      }
    }
    const err = job.cancelled ?? new TsparkError("TASK_FAILED", `Job ${job.jobId} failed: barrier stage ${stage.stageId} failed ${this.limits.maxFailures} times; most recent failure:\n  ${lastError ?? "unknown"}`);
    this.stageEnded(stage, "FAILED", err);
    throw err;
  }
}

/**
 * Runs one stage's tasks (Spark's TaskScheduler): one task per partition on the backend (at
 * most `slots` of a stage at once, so concurrent jobs interleave on the workers), retried and
 * speculated as task-set.ts decides, a cancelled job's tasks killed or never launched, barrier
 * stages launched and retried as a whole. Which stages a job runs is the DAGScheduler's call.
 */
import type { ExecutorBackend, TaskResult } from "../backend/backend.js";
import type { ClassTable, ClosureId, PartitionPlan } from "./plan.js";
import type { CustomSerializerSpec } from "../serde/record-serializers.js";
import { closuresRun } from "./plan.js";
import { describeRemoteError } from "./task-error.js";
import { TsparkError } from "../errors.js";
import { BarrierCoordinator } from "./barrier-coordinator.js";
import { ListenerBus, type TaskResultStatus } from "./listener-bus.js";
import { emptyStageMetrics, type JobState, type StageState } from "./job.js";
import { TaskSet, TASK_KILLED, type TaskSetHost } from "./task-set.js";
import type { SpeculationSettings } from "../config/settings.js";

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
  /** A plan as its task carries it, made as the task launches (a shuffle read's segments: MapOutputTracker.withSegments). */
  launchPlan?: (plan: PartitionPlan) => PartitionPlan;
}

/** Partition `index`'s plan as a task of it carries it (each attempt's made afresh). */
function launchPlanOf(spec: StageSpec, index: number): PartitionPlan {
  const { plan } = spec.plans[index]!;
  return spec.launchPlan ? spec.launchPlan(plan) : plan;
}

/** The closures a task's worker must hold: its plan's, its record classes' and its serializers'. */
function taskClosureIds(plan: PartitionPlan, spec: StageSpec): ClosureId[] {
  return [...closuresRun([plan], spec.classes, spec.serializers)];
}

export interface SchedulerLimits {
  maxFailures: number;
  maxResultSize: number;
  /** The limit as the error names it, e.g. `tspark.driver.maxResultSize (1g)`. */
  maxResultSizeText: string;
  /** When a slow task gets a speculative copy (tspark.speculation); undefined: never. */
  speculation?: SpeculationSettings | undefined;
}

/** What the task scheduler asks of, and tells, the rest of the driver. */
export interface TaskSchedulerHooks {
  /** The executor a task should run on (it holds the task's cached input), if any. */
  preferredExecutor?(plan: PartitionPlan): string | undefined;
  /** Every finished task attempt, successful or not (block updates, accumulators, metrics). */
  taskEnded?(result: TaskResult, stage: StageState): void;
}

export class TaskScheduler implements TaskSetHost {
  private nextStageId = 0;
  private nextTaskId = 0;
  readonly stages = new Map<number, StageState>();
  readonly barriers = new BarrierCoordinator();

  constructor(
    private readonly backend: ExecutorBackend,
    readonly limits: SchedulerLimits,
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
      status = r.error.code === "JOB_CANCELLED" || r.error.code === TASK_KILLED || job.cancelled ? "KILLED" : "FAILED";
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

  private launched(taskId: number, stageId: number, partition: number, attempt: number, speculative = false): (executorId: string) => void {
    return (executorId) => this.bus.post({ event: "taskStart", taskId, stageId, partition, attempt, executorId, ...(speculative ? { speculative } : {}) });
  }

  /** How many tasks may run at once. */
  get slots(): number {
    return this.backend.slots;
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
    return new TaskSet(this, job, stage, spec).run();
  }

  /** Runs one attempt of a task (TaskSetHost.runAttempt): launches it on the backend and reports its end to the hooks and listeners. */
  async runAttempt(job: JobState, stage: StageState, spec: StageSpec, index: number, attempt: number, speculative: boolean, track: (taskId: number, launchedAt: number | undefined) => void, wonElsewhere: () => boolean): Promise<{ taskId: number; result: TaskResult }> {
    const { partition } = spec.plans[index]!;
    const plan = launchPlanOf(spec, index);
    const taskId = this.nextTaskId++;
    track(taskId, undefined);
    const started = this.launched(taskId, stage.stageId, partition, attempt, speculative);
    job.runningTasks.add(taskId);
    stage.numActiveTasks++;
    let r: TaskResult;
    try {
      r = await this.backend.runTask(
        { taskId, jobId: job.jobId, stageId: stage.stageId, partition, attempt, plan, classes: spec.classes, serializers: spec.serializers, localProperties: job.props.localProperties },
        taskClosureIds(plan, spec),
        spec.closureBytes,
        this.hooks.preferredExecutor?.(plan),
        (executorId) => {
          track(taskId, Date.now());
          started(executorId);
        },
      );
    } finally {
      job.runningTasks.delete(taskId);
      stage.numActiveTasks--;
    }
    // A copy that lost to another attempt of its partition counts as killed, whatever its end:
    // its result and accumulator additions must not be counted twice.
    if (wonElsewhere()) r = { ok: false, error: { name: "TsparkError", code: TASK_KILLED, message: `another attempt of partition ${partition} finished first`, stack: undefined }, executorId: r.executorId, metrics: r.metrics, blocks: r.blocks };
    this.taskEnded(r, stage, job, taskId, partition, attempt);
    return { taskId, result: r };
  }

  /** Ends a stage for the listeners (the task set's outcome). */
  endStage(stage: StageState, status: "COMPLETE" | "FAILED", err?: unknown): void {
    this.stageEnded(stage, status, err);
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
      let plans: PartitionPlan[];
      try {
        plans = spec.plans.map((_, i) => launchPlanOf(spec, i));
      } catch (err) {
        // A shuffle it reads lost map outputs since it was planned (FETCH_FAILED): the job recomputes them.
        this.stageEnded(stage, "FAILED", err);
        throw err;
      }
      const taskIds = spec.plans.map(() => this.nextTaskId++);
      let failed = false;
      const runs = spec.plans.map(async ({ partition }, i) => {
        const plan = plans[i]!;
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

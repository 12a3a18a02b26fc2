/**
 * Read-only progress of the application's jobs, stages and workers (PySpark's
 * StatusTracker): `sc.statusTracker().getActiveJobIds()`.
 */
import type { JobState, StageState } from "../scheduler/job.js";
import type { ExecutorInfo } from "../backend/backend.js";

export interface SparkJobInfo {
  /** The job's id. */
  jobId: number;
  /** The stages the job ran or runs. */
  stageIds: number[];
  /** Where the job is. */
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "UNKNOWN";
}

export interface SparkStageInfo {
  /** The stage's id. */
  stageId: number;
  /** The stage attempt (on tspark's engine always 0: it retries tasks, and barrier stages, within one attempt). */
  currentAttemptId: number;
  /** The stage's name: the operation and its place in your program. */
  name: string;
  /** Tasks in the stage (one per partition). */
  numTasks: number;
  /** Tasks running now. */
  numActiveTasks: number;
  /** Tasks finished successfully. */
  numCompletedTasks: number;
  /** Failed task attempts. */
  numFailedTasks: number;
}

/** The schedulers' records a tracker of tspark's own engine reads. */
interface JobsAndStages {
  readonly jobs: ReadonlyMap<number, JobState>;
  readonly stages: ReadonlyMap<number, StageState>;
}

/** Where a tracker reads jobs and stages: tspark's schedulers, or Spark's own status tracker. */
export interface StatusSource {
  jobIdsForGroup(jobGroup: string | undefined): number[];
  activeJobIds(): number[];
  activeStageIds(): number[];
  jobInfo(jobId: number): SparkJobInfo | undefined;
  stageInfo(stageId: number): SparkStageInfo | undefined;
}

/** What tspark's own schedulers know of jobs and stages. */
export function schedulerStatus(scheduler: JobsAndStages): StatusSource {
  return {
    jobIdsForGroup: (group) => [...scheduler.jobs.values()].filter((j) => j.props.group === group).map((j) => j.jobId),
    activeJobIds: () => [...scheduler.jobs.values()].filter((j) => j.status === "RUNNING").map((j) => j.jobId),
    activeStageIds: () => [...scheduler.stages.values()].filter((s) => s.status === "ACTIVE").map((s) => s.stageId),
    jobInfo: (jobId) => {
      const j = scheduler.jobs.get(jobId);
      return j && { jobId: j.jobId, stageIds: [...j.stageIds], status: j.status };
    },
    stageInfo: (stageId) => {
      const s = scheduler.stages.get(stageId);
      return s && {
        stageId: s.stageId,
        currentAttemptId: 0,
        name: s.name,
        numTasks: s.numTasks,
        numActiveTasks: s.numActiveTasks,
        numCompletedTasks: s.numCompletedTasks,
        numFailedTasks: s.numFailedTasks,
      };
    },
  };
}

export class StatusTracker {
  /** @internal */
  constructor(private readonly source: StatusSource, private readonly executors: () => ExecutorInfo[]) {}

  /**
   * Ids of the jobs in a group (all jobs without a group when `jobGroup` is undefined).
   *
   * @example
   * ```ts
   * sc.setJobGroup("tracked", "jobs to look up");
   * await sc.parallelize([1, 2]).count(); // → 2
   * await sc.parallelize([3]).count(); // → 1
   * sc.statusTracker().getJobIdsForGroup("tracked").length; // → 2
   * ```
   */
  getJobIdsForGroup(jobGroup?: string): number[] {
    return this.source.jobIdsForGroup(jobGroup);
  }

  /**
   * Ids of the jobs running now.
   *
   * @example
   * ```ts
   * const job = sc.parallelize([1], 1).map(async (x) => new Promise((r) => setTimeout(() => r(x), 500))).collect();
   * await new Promise((r) => setTimeout(r, 200));
   * sc.statusTracker().getActiveJobIds().length; // → 1
   * await job; // → [1]
   * sc.statusTracker().getActiveJobIds(); // → []
   * ```
   */
  getActiveJobIds(): number[] {
    return this.source.activeJobIds();
  }

  /**
   * Ids of the stages running now.
   *
   * @example
   * ```ts
   * const tracker = sc.statusTracker();
   * const job = sc.parallelize([1], 1).map(async (x) => new Promise((r) => setTimeout(() => r(x), 500))).collect();
   * while (tracker.getActiveStageIds().length === 0) await new Promise((r) => setTimeout(r, 10)); // until it starts
   * tracker.getActiveStageIds().length; // → 1
   * await job; // → [1]
   * tracker.getActiveStageIds(); // → []
   * ```
   */
  getActiveStageIds(): number[] {
    return this.source.activeStageIds();
  }

  /**
   * A job's status and stages, if the job is known.
   *
   * @example
   * ```ts
   * sc.setJobGroup("info", "one job");
   * await sc.parallelize([1, 2]).map((x) => [x, x] as [number, number]).reduceByKey((a, b) => a + b).count(); // → 2
   * const tracker = sc.statusTracker();
   * const info = tracker.getJobInfo(tracker.getJobIdsForGroup("info")[0]!)!;
   * [info.status, info.stageIds.length]; // → ["SUCCEEDED", 2]
   * ```
   */
  getJobInfo(jobId: number): SparkJobInfo | undefined {
    return this.source.jobInfo(jobId);
  }

  /**
   * A stage's name and task counts, if the stage is known.
   *
   * @example
   * ```ts
   * sc.setJobGroup("stages", "a job with one stage");
   * await sc.parallelize([1, 2, 3], 3).count(); // → 3
   * const tracker = sc.statusTracker();
   * const job = tracker.getJobInfo(tracker.getJobIdsForGroup("stages")[0]!)!;
   * const stage = tracker.getStageInfo(job.stageIds[0]!)!;
   * [stage.numTasks, stage.numCompletedTasks, stage.numFailedTasks]; // → [3, 3, 0]
   * ```
   */
  getStageInfo(stageId: number): SparkStageInfo | undefined {
    return this.source.stageInfo(stageId);
  }

  /**
   * One entry per worker process.
   *
   * @example
   * ```ts
   * // With --master local[2]:
   * sc.statusTracker().getExecutorInfos().length; // → 2
   * ```
   */
  getExecutorInfos(): ExecutorInfo[] {
    return this.executors();
  }
}

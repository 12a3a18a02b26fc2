/**
 * Read-only progress of the application's jobs, stages and workers (PySpark's
 * StatusTracker): `sc.statusTracker().getActiveJobIds()`.
 */
import type { DAGScheduler } from "../scheduler/dag-scheduler.js";
import type { ExecutorInfo } from "../executor/backend.js";

export interface SparkJobInfo {
  jobId: number;
  stageIds: number[];
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
}

export interface SparkStageInfo {
  stageId: number;
  currentAttemptId: number;
  name: string;
  numTasks: number;
  numActiveTasks: number;
  numCompletedTasks: number;
  numFailedTasks: number;
}

export class StatusTracker {
  /** @internal */
  constructor(private readonly scheduler: DAGScheduler, private readonly executors: () => ExecutorInfo[]) {}

  /** Ids of the jobs in a group (all jobs without a group when `jobGroup` is undefined). */
  getJobIdsForGroup(jobGroup?: string): number[] {
    return [...this.scheduler.jobs.values()].filter((j) => j.props.group === jobGroup).map((j) => j.jobId);
  }

  getActiveJobIds(): number[] {
    return [...this.scheduler.jobs.values()].filter((j) => j.status === "RUNNING").map((j) => j.jobId);
  }

  getActiveStageIds(): number[] {
    return [...this.scheduler.stages.values()].filter((s) => s.status === "ACTIVE").map((s) => s.stageId);
  }

  getJobInfo(jobId: number): SparkJobInfo | undefined {
    const j = this.scheduler.jobs.get(jobId);
    return j && { jobId: j.jobId, stageIds: [...j.stageIds], status: j.status };
  }

  getStageInfo(stageId: number): SparkStageInfo | undefined {
    const s = this.scheduler.stages.get(stageId);
    return s && {
      stageId: s.stageId,
      currentAttemptId: 0,
      name: s.name,
      numTasks: s.numTasks,
      numActiveTasks: s.numActiveTasks,
      numCompletedTasks: s.numCompletedTasks,
      numFailedTasks: s.numFailedTasks,
    };
  }

  getExecutorInfos(): ExecutorInfo[] {
    return this.executors();
  }
}

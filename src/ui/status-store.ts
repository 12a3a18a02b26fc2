/**
 * The application's state as the web UI shows it, built only from listener events. The
 * live UI feeds it from the bus; `tspark history` feeds it the event log's lines: both
 * render the same pages from the same state.
 */
import type { JobDag } from "../scheduler/job-dag.js";
import type { TsparkEvent, TaskEndMetrics, TaskResultStatus } from "../scheduler/listener-bus.js";
import { BlockTracker } from "../storage/block-tracker.js";

export interface AppInfo {
  appId: string;
  appName: string;
  user: string;
  master: string;
  version: string;
  startTime: number;
  endTime: number | undefined;
}

export interface JobRow {
  jobId: number;
  name: string;
  description: string | undefined;
  group: string | undefined;
  submissionTime: number;
  completionTime: number | undefined;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  error: string | undefined;
  stageIds: number[];
  /** Its lineage, for the DAG drawing (undefined in logs written before it was recorded). */
  dag: JobDag | undefined;
}

export interface TaskRow {
  taskId: number;
  stageId: number;
  partition: number;
  attempt: number;
  /** A copy of a task that ran long (tspark.speculation). */
  speculative: boolean;
  executorId: string;
  launchTime: number | undefined;
  finishTime: number | undefined;
  status: "RUNNING" | TaskResultStatus;
  metrics: TaskEndMetrics | undefined;
  error: string | undefined;
}

/** Sums over a stage's (or an executor's) finished task attempts. */
export interface IoTotals {
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  resultBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  spillBytes: number;
  durationMs: number;
}

export interface StageRow {
  stageId: number;
  jobId: number;
  name: string;
  numTasks: number;
  submissionTime: number;
  completionTime: number | undefined;
  status: "ACTIVE" | "COMPLETE" | "FAILED";
  failureReason: string | undefined;
  activeTasks: number;
  completedTasks: number;
  failedTasks: number;
  killedTasks: number;
  totals: IoTotals;
  /** The newest task rows (at most retainedTasks; counters and totals cover every task). */
  tasks: Map<number, TaskRow>;
  /** Finished task rows dropped to stay within retainedTasks. */
  droppedTasks: number;
  /** Accumulators this stage's tasks added to: id -> value after the stage's latest addition (as text). */
  accumulators: Map<number, string>;
  /** A shuffle's map stage: the shuffle's id (the DAG's stage of that shuffle). */
  shuffleId: number | undefined;
}

export interface ExecutorRow {
  executorId: string;
  pid: number;
  addTime: number;
  removeTime: number | undefined;
  removeReason: string | undefined;
  activeTasks: number;
  completedTasks: number;
  failedTasks: number;
  peakRssBytes: number;
  totals: IoTotals;
}

export interface RddRow {
  rddId: number;
  name: string;
  numPartitions: number;
  storageLevel: string;
}

const zeroTotals = (): IoTotals => ({ recordsIn: 0, bytesIn: 0, recordsOut: 0, resultBytes: 0, shuffleReadBytes: 0, shuffleWriteBytes: 0, spillBytes: 0, durationMs: 0 });

function addMetrics(t: IoTotals, m: TaskEndMetrics): void {
  t.recordsIn += m.recordsIn;
  t.bytesIn += m.bytesIn;
  t.recordsOut += m.recordsOut;
  t.resultBytes += m.resultBytes;
  t.shuffleReadBytes += m.shuffleReadBytes;
  t.shuffleWriteBytes += m.shuffleWriteBytes;
  t.spillBytes += m.spillBytes;
  t.durationMs += m.durationMs;
}

export class AppStatusStore {
  app: AppInfo | undefined;
  runtime: Array<[string, string]> = [];
  config: Array<[string, string]> = [];
  readonly jobs = new Map<number, JobRow>();
  readonly stages = new Map<number, StageRow>();
  readonly executors = new Map<string, ExecutorRow>();
  readonly rdds = new Map<number, RddRow>();
  readonly blocks = new BlockTracker();
  /** Events applied so far: pages and the refresh loop compare it to see whether anything changed. */
  revision = 0;

  /**
   * @param retained how many jobs and stages to keep (the oldest finished ones are dropped
   * beyond it, as Spark's spark.ui.retainedJobs/Stages), so a long application's UI stays bounded.
   * @param retainedTasks how many task rows one stage keeps (the oldest finished ones are
   * dropped beyond it, as Spark's spark.ui.retainedTasks): a stage of millions of tasks does
   * not hold millions of rows in the driver.
   */
  constructor(private readonly retained = 1000, private readonly retainedTasks = 100_000) {}

  private trim<T extends { status: string }>(rows: Map<number, T>, running: string): void {
    if (rows.size <= this.retained) return;
    for (const [id, r] of rows) {
      if (r.status === running) continue;
      rows.delete(id);
      if (rows.size <= this.retained) return;
    }
  }

  apply(e: TsparkEvent): void {
    this.revision++;
    switch (e.event) {
      case "applicationStart":
        this.app = { appId: e.appId, appName: e.appName, user: e.user, master: e.master, version: e.version, startTime: e.time, endTime: undefined };
        break;
      case "applicationEnd":
        if (this.app) this.app.endTime = e.time;
        break;
      case "environmentUpdate":
        this.runtime = e.runtime;
        this.config = e.config;
        break;
      case "executorAdded":
        this.executors.set(e.executorId, {
          executorId: e.executorId, pid: e.pid, addTime: e.time, removeTime: undefined, removeReason: undefined,
          activeTasks: 0, completedTasks: 0, failedTasks: 0, peakRssBytes: 0, totals: zeroTotals(),
        });
        break;
      case "executorRemoved": {
        const x = this.executors.get(e.executorId);
        if (x) {
          x.removeTime = e.time;
          x.removeReason = e.reason;
          x.activeTasks = 0;
        }
        this.blocks.executorLost(e.executorId);
        break;
      }
      case "jobStart":
        this.jobs.set(e.jobId, { jobId: e.jobId, name: e.name, description: e.description, group: e.group, submissionTime: e.time, completionTime: undefined, status: "RUNNING", error: undefined, stageIds: [], dag: e.dag });
        this.trim(this.jobs, "RUNNING");
        break;
      case "jobEnd": {
        const j = this.jobs.get(e.jobId);
        if (j) {
          j.status = e.result;
          j.completionTime = e.time;
          j.error = e.error;
        }
        break;
      }
      case "accumulatorsUpdated": {
        const stage = this.stages.get(e.stageId);
        if (stage) for (const [id, value] of e.values) stage.accumulators.set(id, value);
        break;
      }
      case "stageSubmitted":
        this.stages.set(e.stageId, {
          stageId: e.stageId, jobId: e.jobId, name: e.name, numTasks: e.numTasks, submissionTime: e.time, completionTime: undefined,
          status: "ACTIVE", failureReason: undefined, activeTasks: 0, completedTasks: 0, failedTasks: 0, killedTasks: 0, totals: zeroTotals(), tasks: new Map(), droppedTasks: 0, accumulators: new Map(), shuffleId: e.shuffleId,
        });
        this.jobs.get(e.jobId)?.stageIds.push(e.stageId);
        this.trim(this.stages, "ACTIVE");
        break;
      case "stageCompleted": {
        const s = this.stages.get(e.stageId);
        if (s) {
          s.status = e.result;
          s.completionTime = e.time;
          s.failureReason = e.failureReason;
        }
        break;
      }
      case "taskStart": {
        const s = this.stages.get(e.stageId);
        if (!s) break;
        s.tasks.set(e.taskId, { taskId: e.taskId, stageId: e.stageId, partition: e.partition, attempt: e.attempt, speculative: e.speculative === true, executorId: e.executorId, launchTime: e.time, finishTime: undefined, status: "RUNNING", metrics: undefined, error: undefined });
        s.activeTasks++;
        const x = this.executors.get(e.executorId);
        if (x) x.activeTasks++;
        break;
      }
      case "taskEnd":
        this.taskEnded(e);
        break;
      case "rddPersisted":
        this.rdds.set(e.rddId, { rddId: e.rddId, name: e.name, numPartitions: e.numPartitions, storageLevel: e.storageLevel });
        break;
      case "rddUnpersisted":
        this.rdds.delete(e.rddId);
        this.blocks.dropRdd(e.rddId);
        break;
      case "blockUpdated":
        this.blocks.update(e.executorId, [{ blockId: e.blockId, memory: e.memory, disk: e.disk, bytes: e.bytes }]);
        break;
    }
  }

  private taskEnded(e: Extract<TsparkEvent, { event: "taskEnd" }>): void {
    const s = this.stages.get(e.stageId);
    if (!s) return;
    const started = s.tasks.get(e.taskId);
    const x = this.executors.get(e.executorId);
    if (started?.status === "RUNNING") {
      s.activeTasks--;
      if (x && x.activeTasks > 0) x.activeTasks--;
    }
    s.tasks.set(e.taskId, {
      taskId: e.taskId, stageId: e.stageId, partition: e.partition, attempt: e.attempt, speculative: started?.speculative ?? false, executorId: e.executorId,
      launchTime: started?.launchTime, finishTime: e.time, status: e.status, metrics: e.metrics, error: e.error,
    });
    if (s.tasks.size > this.retainedTasks) {
      // Rows are in launch order: the oldest finished ones go first; running ones stay.
      for (const [id, row] of s.tasks) {
        if (row.status === "RUNNING") continue;
        s.tasks.delete(id);
        s.droppedTasks++;
        if (s.tasks.size <= this.retainedTasks) break;
      }
    }
    if (e.status === "SUCCESS") s.completedTasks++;
    else if (e.status === "KILLED") s.killedTasks++;
    else s.failedTasks++;
    if (e.metrics && e.status === "SUCCESS") addMetrics(s.totals, e.metrics);
    if (x) {
      if (e.status === "SUCCESS") x.completedTasks++;
      else x.failedTasks++;
      if (e.metrics) {
        addMetrics(x.totals, e.metrics);
        x.peakRssBytes = Math.max(x.peakRssBytes, e.metrics.peakRssBytes);
      }
    }
  }
}

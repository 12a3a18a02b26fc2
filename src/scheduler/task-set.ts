/**
 * One stage's tasks while they run (Spark's TaskSetManager): each partition launched once, a
 * failed attempt retried up to tspark.task.maxFailures, the job failed with the user's own
 * error when a partition runs out of attempts, and, with tspark.speculation, a second copy of
 * a task that runs much longer than its finished siblings launched on an idle worker: the
 * first copy to succeed gives the partition's result and the other is killed. A partition out
 * of attempts fails the stage at once: the other running tasks are killed.
 */
import { TsparkError } from "../errors.js";
import { formatBytes } from "../util/format.js";
import { describeRemoteError, failsEveryAttempt, reviveRemoteError } from "./task-error.js";
import { addTaskMetrics, type JobState, type StageState } from "./job.js";
import type { SchedulerLimits, StageSpec } from "./task-scheduler.js";
import { RESULT_TOO_LARGE, type TaskResult } from "../backend/backend.js";
import type { SpeculationSettings } from "../config/settings.js";

/** The error code of an attempt that lost to another attempt of its partition (reported as killed). */
export const TASK_KILLED = "TASK_KILLED";

/** What a task set needs of the task scheduler. */
export interface TaskSetHost {
  readonly slots: number;
  readonly limits: SchedulerLimits;
  /**
   * Runs one attempt; `track` is told its task id when it is made (time undefined) and again
   * when a worker takes it (the time); `wonElsewhere` says, at its end, whether another attempt
   * already gave the partition's result.
   */
  runAttempt(job: JobState, stage: StageState, spec: StageSpec, index: number, attempt: number, speculative: boolean, track: (taskId: number, launchedAt: number | undefined) => void, wonElsewhere: () => boolean): Promise<{ taskId: number; result: TaskResult }>;
  killTask(taskId: number, interruptRunning?: boolean): void;
  endStage(stage: StageState, status: "COMPLETE" | "FAILED", err?: unknown): void;
}

export class TaskSet {
  private readonly n: number;
  private readonly results: unknown[][];
  private readonly done: boolean[];
  private doneCount = 0;
  private readonly failures: number[];
  private readonly attempts: number[];
  /** Per partition: its attempts running now, task id -> launch time (undefined until a worker takes it). */
  private readonly running: Array<Map<number, number | undefined>>;
  /** Run times of the stage's successful tasks (for the speculation threshold). */
  private readonly durations: number[] = [];
  private next = 0;
  private aborted: Error | undefined;
  private resultBytes = 0;
  private readonly wake = new Wakeup();
  private readonly allDone: Promise<void>;
  private finished!: () => void;

  constructor(
    private readonly host: TaskSetHost,
    private readonly job: JobState,
    private readonly stage: StageState,
    private readonly spec: StageSpec,
  ) {
    this.n = spec.plans.length;
    this.results = new Array<unknown[]>(this.n);
    this.done = new Array<boolean>(this.n).fill(false);
    this.failures = new Array<number>(this.n).fill(0);
    this.attempts = new Array<number>(this.n).fill(0);
    this.running = Array.from({ length: this.n }, () => new Map());
    this.allDone = new Promise((resolve) => (this.finished = resolve));
  }

  /** Each planned partition's output records, in plan order. */
  async run(): Promise<unknown[][]> {
    const { job, stage } = this;
    const lanes = Promise.all(Array.from({ length: Math.min(this.host.slots, this.n) }, () => this.lane()));
    try {
      // A cancelled job fails at once; its running tasks finish (or are killed) in the
      // background, as do copies that lost to another attempt once every partition is done.
      await Promise.race([lanes, this.allDone, job.cancelSignal]);
      if (this.aborted) throw this.aborted;
      if (job.cancelled) throw job.cancelled;
    } catch (err) {
      this.host.endStage(stage, "FAILED", err);
      throw err;
    } finally {
      this.wake.notify();
    }
    this.host.endStage(stage, "COMPLETE");
    return this.results;
  }

  private get over(): boolean {
    return this.aborted !== undefined || this.job.cancelled !== undefined || this.doneCount === this.n;
  }

  /** One slot: launches partitions in order, then (with speculation) copies of stragglers until the stage is over. */
  private async lane(): Promise<void> {
    const policy = this.host.limits.speculation;
    while (!this.over) {
      let index: number | undefined;
      let speculative = false;
      if (this.next < this.n) index = this.next++;
      else if (!policy) return;
      else if ((index = this.straggler(policy)) !== undefined) speculative = true;
      if (index === undefined) {
        await this.wake.wait(policy!.intervalMs);
        continue;
      }
      try {
        await this.runPartition(index, speculative);
      } catch (err) {
        this.abort(err as Error);
      }
    }
  }

  /**
   * Fails the stage: its running attempts are killed (asked to stop at their next batch,
   * their workers replaced past the grace period), so the job's failure is reported once
   * they have ended and removed their partial output, not when the slowest would finish.
   */
  private abort(err: Error): void {
    if (this.aborted) return;
    this.aborted = err;
    for (const running of this.running) for (const taskId of running.keys()) this.host.killTask(taskId, true);
    this.wake.notify();
  }

  /**
   * A partition whose one running attempt is a straggler (Spark's checkSpeculatableTasks): once
   * `quantile` of the tasks succeeded, one that has run more than `multiplier` times their
   * median, and at least minTaskRuntimeMs.
   */
  private straggler(policy: SpeculationSettings): number | undefined {
    if (this.durations.length < Math.max(Math.floor(policy.quantile * this.n), 1)) return undefined;
    const sorted = [...this.durations].sort((a, b) => a - b);
    const threshold = Math.max(policy.multiplier * sorted[Math.floor(sorted.length / 2)]!, policy.minTaskRuntimeMs);
    const now = Date.now();
    for (let i = 0; i < this.n; i++) {
      if (this.done[i] || this.running[i]!.size !== 1) continue;
      const [launched] = this.running[i]!.values();
      if (launched !== undefined && now - launched > threshold) return i;
    }
    return undefined;
  }

  /** Attempts partition `index` until it succeeds, runs out of attempts, or another copy carries it on. */
  private async runPartition(index: number, speculative: boolean): Promise<void> {
    const { job, stage, spec } = this;
    const { partition } = spec.plans[index]!;
    const running = this.running[index]!;
    let last: Extract<TaskResult, { ok: false }> | undefined;
    let lastAttempt = 0;
    for (;;) {
      if (this.aborted || this.done[index]) return;
      if (job.cancelled) throw job.cancelled;
      const attempt = this.attempts[index]!++;
      const { taskId, result: r } = await this.host.runAttempt(job, stage, spec, index, attempt, speculative, (id, at) => running.set(id, at), () => this.done[index]!);
      const launchedAt = running.get(taskId);
      running.delete(taskId);
      if (this.done[index]) return;
      if (r.ok) {
        this.succeeded(index, r, Date.now() - (launchedAt ?? Date.now()));
        return;
      }
      stage.numFailedTasks++;
      if (job.cancelled) throw job.cancelled; // a task killed by the cancellation: no retry
      if (r.error.code === RESULT_TOO_LARGE) throw resultsTooLarge(job.jobId, r.error.message);
      // Lost shuffle input: retrying the task cannot help; the driver recomputes the map outputs.
      if (r.error.code === "FETCH_FAILED") throw new TsparkError("FETCH_FAILED", `stage ${stage.stageId}: ${r.error.message}`);
      if (failsEveryAttempt(r.error)) {
        const made = spec.recordsMadeAt ? ` (the records of the RDD made at ${spec.recordsMadeAt})` : "";
        throw new TsparkError("UNSERIALIZABLE", `Job ${job.jobId} failed: task for partition ${partition} of stage ${stage.stageId}${made}: ${r.error.message}`);
      }
      last = r;
      lastAttempt = attempt;
      if (++this.failures[index]! >= this.host.limits.maxFailures) break;
      // Another copy still runs: it carries the partition on (and retries it if it fails too).
      if (running.size > 0) return;
      speculative = false;
    }
    if (this.aborted) return;
    const failures = this.failures[index]!;
    const loss = last.lostWorker;
    const why = loss
      ? `${last.error.message}` + (loss.stderrTail.length ? `; its last stderr lines:\n    ${loss.stderrTail.join("\n    ")}` : "")
      : describeRemoteError(last.error);
    throw new TsparkError(
      loss ? "WORKER_LOST" : "TASK_FAILED",
      `Job ${job.jobId} failed: task for partition ${partition} of stage ${stage.stageId} failed ${failures} time${failures === 1 ? "" : "s"}; most recent failure (attempt ${lastAttempt}):\n  ${why}`,
      { cause: loss ? undefined : reviveRemoteError(last.error) },
    );
  }

  /** The partition's first successful attempt: its result counts; other copies are killed. */
  private succeeded(index: number, r: Extract<TaskResult, { ok: true }>, runMs: number): void {
    const { job, stage, spec } = this;
    stage.numCompletedTasks++;
    addTaskMetrics(stage.metrics, r.metrics, r.resultBytes);
    if (spec.countResultSize) {
      this.resultBytes += r.resultBytes;
      const { maxResultSize, maxResultSizeText } = this.host.limits;
      if (maxResultSize > 0 && this.resultBytes > maxResultSize) {
        throw resultsTooLarge(job.jobId, `the results sent to the driver so far (${formatBytes(this.resultBytes)}) exceed ${maxResultSizeText}`);
      }
    }
    this.results[index] = r.records;
    this.done[index] = true;
    this.durations.push(runMs);
    for (const other of this.running[index]!.keys()) this.host.killTask(other, true);
    if (++this.doneCount === this.n) this.finished();
    this.wake.notify();
  }
}

/** A job's results past the driver's limit: what the user can do about it. */
function resultsTooLarge(jobId: number, what: string): TsparkError {
  return new TsparkError("INVALID_ARGUMENT", `Job ${jobId} aborted: ${what}. Use rdd.toLocalIterator() to stream results one partition at a time, rdd.saveAsTextFile() to write them out, or raise the limit.`);
}

/** Lets idle lanes sleep until something changes or their polling interval passes. */
class Wakeup {
  private waiters: Array<() => void> = [];

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, ms);
      this.waiters.push(done);
    });
  }

  notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

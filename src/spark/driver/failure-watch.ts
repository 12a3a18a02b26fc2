/**
 * Ends a Spark job at the first task failure no retry can mend (a record tspark cannot
 * serialize), as tspark's own scheduler does; Spark would run the task spark.task.maxFailures
 * times. Spark tells only its listeners why a task failed, so while jobs run this asks the
 * status tracker for stages with failed tasks, reads those tasks' errors from Spark's status
 * store, and cancels such a stage with the task's error as the reason: the job's exception
 * then carries it to the driver (task-error.ts), which reports it as the task's own.
 */
import { log } from "../../util/log.js";
import type { JavaObject, Py4JClient } from "../py4j/py4j-client.js";
import { findTaskError } from "../task-error.js";
import { failsEveryAttempt } from "../../scheduler/task-error.js";

/** How often running jobs' stages are looked at. */
const POLL_MS = 200;

export class FailureWatch {
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Failed tasks already read, by stage and attempt ("3.0"). */
  private readonly failuresRead = new Map<string, number>();
  /** Stage attempts cancelled here (a later job may run a stage of the same id again: a new attempt). */
  private readonly cancelled = new Set<string>();
  /** Spark's status tracker, asked for once. */
  private tracker: Promise<JavaObject> | undefined;

  constructor(
    private readonly client: Py4JClient,
    private readonly jsc: JavaObject,
  ) {}

  /** Runs `job` (a Spark job's submission) with its stages watched. */
  async during<T>(job: () => Promise<T>): Promise<T> {
    if (this.running++ === 0) this.timer = setInterval(() => void this.poll(), POLL_MS).unref();
    try {
      return await job();
    } finally {
      if (--this.running === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.failuresRead.clear();
        this.cancelled.clear();
      }
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow answer: the next tick asks again
    this.polling = true;
    try {
      this.tracker ??= this.jsc.call("statusTracker") as Promise<JavaObject>;
      const tracker = await this.tracker;
      for (const stageId of await this.client.ints((await tracker.call("getActiveStageIds")) as JavaObject)) {
        const stage = (await tracker.call("getStageInfo", stageId)) as JavaObject | null;
        if (!stage) continue;
        const attempt = Number(await stage.call("currentAttemptId"));
        const key = `${stageId}.${attempt}`;
        if (this.cancelled.has(key)) continue;
        const failed = Number(await stage.call("numFailedTasks"));
        if (failed <= (this.failuresRead.get(key) ?? 0)) continue;
        const { fatal, read } = await this.fatalFailure(stageId, attempt);
        // Only what the store already had: it records a task's error after the stage's failure
        // count (live entities are flushed apart), and a lagging one is read again next time.
        this.failuresRead.set(key, read);
        if (fatal === undefined) continue;
        this.cancelled.add(key);
        const sc = (await this.jsc.call("sc")) as JavaObject;
        await sc.call("cancelStage", stageId, fatal);
      }
    } catch (err) {
      this.tracker = undefined;
      // The application may be stopping; a job's own end reports what went wrong.
      log("DEBUG", "spark", `failure watch: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  /** The error text of a failed task of the stage attempt that no retry can mend, if there is one, and how many failed tasks' errors were read. */
  private async fatalFailure(stageId: number, attempt: number): Promise<{ fatal: string | undefined; read: number }> {
    const sc = (await this.jsc.call("sc")) as JavaObject;
    const store = (await sc.call("statusStore")) as JavaObject;
    const failedStatus = await this.client.callStatic("org.apache.spark.status.api.v1.TaskStatus", "valueOf", "FAILED");
    const byId = await this.client.callStatic("org.apache.spark.status.api.v1.TaskSorting", "valueOf", "ID");
    const statuses = await this.client.callStatic("java.util.Collections", "singletonList", failedStatus as JavaObject);
    const tasks = (await store.call("taskList", stageId, attempt, 0, 2 ** 31 - 1, byId as JavaObject, statuses as JavaObject)) as JavaObject;
    const count = Number(await tasks.call("length"));
    let read = 0;
    for (let i = 0; i < count; i++) {
      const task = (await tasks.call("apply", i)) as JavaObject;
      const message = (await task.call("errorMessage")) as JavaObject;
      if (!(await message.call("isDefined"))) continue;
      read++;
      const text = String(await message.call("get"));
      const error = findTaskError(text);
      if (error && failsEveryAttempt(error)) return { fatal: text, read };
    }
    return { fatal: undefined, read };
  }
}

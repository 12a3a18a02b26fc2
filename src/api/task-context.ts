/**
 * TaskContext: inside a task, what is running (PySpark's TaskContext.get()).
 * `rdd.map((x) => [TaskContext.get()!.partitionId(), x])`. On the driver it is undefined.
 */
import { runningTask } from "../executor/task-context.js";

export class TaskContext {
  protected constructor(private readonly t: NonNullable<ReturnType<typeof runningTask>>) {}

  /** The running task's context, or undefined outside a task (on the driver). */
  static get(): TaskContext | undefined {
    const t = runningTask();
    return t ? new TaskContext(t) : undefined;
  }

  stageId(): number {
    return this.t.stageId;
  }

  partitionId(): number {
    return this.t.partitionId;
  }

  /** 0 for the first attempt, then 1, 2... for retries. */
  attemptNumber(): number {
    return this.t.attemptNumber;
  }

  /** Unique id of this task attempt within the application. */
  taskAttemptId(): number {
    return this.t.taskAttemptId;
  }

  /** A property set on the driver with sc.setLocalProperty before the job was submitted. */
  getLocalProperty(key: string): string | undefined {
    return this.t.localProperties[key];
  }

  /** CPUs given to this task (one worker process runs one task). */
  cpus(): number {
    return 1;
  }
}

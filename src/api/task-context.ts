/**
 * TaskContext: inside a task, what is running (PySpark's TaskContext.get()).
 * `rdd.map((x) => [TaskContext.get()!.partitionId(), x])`. On the driver it is undefined.
 */
import { runningTask } from "../worker/task-context.js";

export class TaskContext {
  protected constructor(private readonly t: NonNullable<ReturnType<typeof runningTask>>) {}

  /**
   * The running task's context, or undefined outside a task (on the driver).
   *
   * @example
   * ```ts
   * TaskContext.get(); // → undefined
   * await sc.parallelize([1, 2], 2).map(() => TaskContext.get() !== undefined).collect(); // → [true, true]
   * ```
   */
  static get(): TaskContext | undefined {
    const t = runningTask();
    return t ? new TaskContext(t) : undefined;
  }

  /**
   * The id of the stage the task belongs to.
   *
   * @example
   * ```ts
   * const ids = await sc.parallelize([1, 2], 2).map(() => TaskContext.get()!.stageId()).collect();
   * ids[0] === ids[1]; // → true
   * ```
   */
  stageId(): number {
    return this.t.stageId;
  }

  /**
   * The index of the partition the task computes.
   *
   * @example
   * ```ts
   * await sc.parallelize(["a", "b", "c"], 3).map((x) => [TaskContext.get()!.partitionId(), x]).collect(); // → [[0, "a"], [1, "b"], [2, "c"]]
   * ```
   */
  partitionId(): number {
    return this.t.partitionId;
  }

  /**
   * 0 for the first attempt, then 1, 2... for retries.
   *
   * @example
   * ```ts
   * await sc.parallelize([1], 1).map(() => TaskContext.get()!.attemptNumber()).collect(); // → [0]
   * ```
   */
  attemptNumber(): number {
    return this.t.attemptNumber;
  }

  /**
   * Unique id of this task attempt within the application.
   *
   * @example
   * ```ts
   * const ids = await sc.parallelize([1, 2], 2).map(() => TaskContext.get()!.taskAttemptId()).collect();
   * ids[0] !== ids[1]; // → true
   * ```
   */
  taskAttemptId(): number {
    return this.t.taskAttemptId;
  }

  /**
   * A property set on the driver with sc.setLocalProperty before the job was submitted.
   *
   * @example
   * ```ts
   * sc.setLocalProperty("region", "eu");
   * await sc.parallelize([1], 1).map(() => TaskContext.get()!.getLocalProperty("region")).collect(); // → ["eu"]
   * sc.setLocalProperty("region", undefined);
   * ```
   */
  getLocalProperty(key: string): string | undefined {
    return this.t.localProperties[key];
  }

  /**
   * CPUs given to this task (one worker process runs one task).
   *
   * @example
   * ```ts
   * await sc.parallelize([1], 1).map(() => TaskContext.get()!.cpus()).collect(); // → [1]
   * ```
   */
  cpus(): number {
    return 1;
  }
}

/**
 * Barrier execution (PySpark's rdd.barrier()): all tasks of a barrier stage start together,
 * and can wait for each other (`await ctx.barrier()`) or exchange messages
 * (`await ctx.allGather(msg)`). If one fails, the whole stage is retried.
 * ```ts
 * rdd.barrier().mapPartitions(async function* (it) {
 *   const ctx = BarrierTaskContext.get()!;
 *   const all = await ctx.allGather(String([...it].length));
 *   yield all.map(Number).reduce((a, b) => a + b);
 * })
 * ```
 */
import { withStep, type RDD } from "./rdd.js";
import { TaskContext } from "./task-context.js";
import { runningTask } from "../worker/task-context.js";
import { barrierRequest } from "../worker/barrier-client.js";

type Awaitable<T> = T | Promise<T>;

/** An RDD whose next mapPartitions runs as a barrier stage. */
export class RDDBarrier<T> {
  /** @internal */
  constructor(private readonly rdd: RDD<T>) {}

  /**
   * Runs `f` on every partition at once, in a barrier stage: tasks may wait for each other\nwith BarrierTaskContext.barrier() and allGather().
   *
   * @example
   * ```ts
   * const counts = sc.parallelize([1, 2, 3, 4, 5], 2).barrier().mapPartitions(async function* (it) {
   *   const ctx = BarrierTaskContext.get()!;
   *   const all = await ctx.allGather(String([...it].length)); // every task's message
   *   yield all.map(Number).reduce((a, b) => a + b);
   * });
   * await counts.collect(); // → [5, 5]
   * ```
   */
  mapPartitions<U>(f: (it: Iterable<T>) => Awaitable<Iterable<U> | AsyncIterable<U>>, preservesPartitioning = false): RDD<U> {
    return withStep(this.rdd, { op: "mapPartitions", fns: [f], args: { withIndex: false }, label: "barrier mapPartitions", preservesPartitioning, barrier: true });
  }

  /**
   * mapPartitions with the partition's index, in a barrier stage.
   *
   * @example
   * ```ts
   * const rdd = sc.parallelize([1, 2, 3, 4], 2).barrier().mapPartitionsWithIndex(async function* (index, it) {
   *   await BarrierTaskContext.get()!.barrier();
   *   yield [index, [...it]];
   * });
   * await rdd.collect(); // → [[0, [1, 2]], [1, [3, 4]]]
   * ```
   */
  mapPartitionsWithIndex<U>(f: (index: number, it: Iterable<T>) => Awaitable<Iterable<U> | AsyncIterable<U>>, preservesPartitioning = false): RDD<U> {
    return withStep(this.rdd, { op: "mapPartitions", fns: [f], args: { withIndex: true }, label: "barrier mapPartitionsWithIndex", preservesPartitioning, barrier: true });
  }
}

export class BarrierTaskContext extends TaskContext {
  /**
   * The running barrier task's context, or undefined outside a barrier task.
   *
   * @example
   * ```ts
   * await sc.parallelize([1], 1).barrier().mapPartitions(() => [BarrierTaskContext.get() !== undefined]).collect(); // → [true]
   * await sc.parallelize([1], 1).map(() => BarrierTaskContext.get() === undefined).collect(); // → [true]
   * ```
   */
  static override get(): BarrierTaskContext | undefined {
    const t = runningTask();
    return t?.barrier ? new BarrierTaskContext(t) : undefined;
  }

  private task(): NonNullable<ReturnType<typeof runningTask>> {
    return runningTask()!;
  }

  /**
   * Waits until every task of the stage has called barrier() (the same number of times).
   *
   * @example
   * ```ts
   * const done = sc.parallelize([1, 2], 2).barrier().mapPartitions(async function* () {
   *   const ctx = BarrierTaskContext.get()!;
   *   // ... set up this task's part ...
   *   await ctx.barrier(); // no task goes on until all have set up
   *   yield ctx.partitionId();
   * });
   * await done.collect(); // → [0, 1]
   * ```
   */
  async barrier(): Promise<void> {
    await this.allGather("");
  }

  /**
   * Waits for every task's call and returns all their messages, in partition order.
   *
   * @example
   * ```ts
   * const all = sc.parallelize(["a", "b", "c"], 2).barrier().mapPartitions(async (it) => [await BarrierTaskContext.get()!.allGather([...it].join(""))]);
   * await all.collect(); // → [["a", "bc"], ["a", "bc"]]
   * ```
   */
  async allGather(message = ""): Promise<string[]> {
    const t = this.task();
    const b = t.barrier!;
    return barrierRequest({ taskId: t.taskAttemptId, stageId: t.stageId, stageAttempt: b.stageAttempt, partition: t.partitionId, numTasks: b.numTasks }, String(message));
  }

  /**
   * One entry per task of the stage (all on this machine).
   *
   * @example
   * ```ts
   * await sc.parallelize([1, 2], 2).barrier().mapPartitions(() => [BarrierTaskContext.get()!.getTaskInfos().length]).collect(); // → [2, 2]
   * ```
   */
  getTaskInfos(): Array<{ address: string }> {
    return Array.from({ length: this.task().barrier!.numTasks }, () => ({ address: "localhost" }));
  }
}

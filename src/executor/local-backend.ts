/**
 * `local[N]`: a pool of N long-lived worker processes on this machine, pre-started with the
 * context and reused across tasks and jobs. A worker that dies is replaced.
 */
import type { ClosureId, TaskDescription } from "../scheduler/plan.js";
import type { ExecutorBackend, ExecutorInfo, TaskResult } from "./backend.js";
import { WorkerProcess, type WorkerOptions } from "./worker-process.js";
import type { WorkerMessage } from "./protocol.js";
import { TsparkError } from "../errors.js";

interface Pending {
  resolve: (r: TaskResult) => void;
  worker: WorkerProcess;
}

export class LocalBackend implements ExecutorBackend {
  readonly slots: number;
  private readonly workers: WorkerProcess[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly idleWaiters: Array<(w: WorkerProcess) => void> = [];
  private nextExecutor = 0;
  /** Tasks submitted and not finished; while any, the driver's event loop is held open. */
  private inFlight = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly readyP: Promise<void>;

  constructor(slots: number, private readonly workerOptions: Omit<WorkerOptions, "executorId">) {
    this.slots = slots;
    for (let i = 0; i < slots; i++) this.workers.push(this.spawn());
    this.readyP = Promise.all(this.workers.map((w) => w.ready())).then(() => undefined);
    this.readyP.catch(() => {});
  }

  private spawn(): WorkerProcess {
    const w = new WorkerProcess({ ...this.workerOptions, executorId: String(this.nextExecutor++) });
    w.onMessage = (msg, bytes) => this.onMessage(w, msg, bytes);
    w.onExit = (loss) => {
      const idx = this.workers.indexOf(w);
      if (idx >= 0) this.workers.splice(idx, 1);
      this.busy.delete(w);
      const taskId = w.runningTaskId;
      if (taskId !== undefined) {
        const p = this.pending.get(taskId);
        this.pending.delete(taskId);
        w.failedTasks++;
        p?.resolve({
          ok: false,
          executorId: w.executorId,
          lostWorker: loss,
          error: {
            name: "WorkerLost",
            message: `worker process ${loss.pid} died (${loss.signal ? `signal ${loss.signal}` : `exit code ${loss.exitCode}`})`,
            stack: undefined,
            code: "WORKER_LOST",
          },
        });
      }
      if (!this.stopping) {
        const fresh = this.spawn();
        this.workers.push(fresh);
        fresh.ready().then(() => this.release(fresh), () => {});
      }
    };
    return w;
  }

  ready(): Promise<void> {
    return this.readyP;
  }

  private onMessage(w: WorkerProcess, msg: WorkerMessage, frameBytes: number): void {
    if (msg.type === "hello") return;
    const p = this.pending.get(msg.taskId);
    if (!p) return;
    this.pending.delete(msg.taskId);
    w.runningTaskId = undefined;
    w.peakRssBytes = Math.max(w.peakRssBytes, msg.metrics.peakRssBytes);
    if (msg.type === "result") {
      w.completedTasks++;
      p.resolve({ ok: true, records: msg.records, resultBytes: frameBytes, metrics: msg.metrics, executorId: w.executorId });
    } else {
      w.failedTasks++;
      p.resolve({ ok: false, error: msg.error, metrics: msg.metrics, executorId: w.executorId });
    }
    this.release(w);
  }

  /** Hands an idle worker to whoever waits for one. */
  private release(w: WorkerProcess): void {
    this.busy.delete(w);
    if (!w.alive || this.stopping) return;
    const waiter = this.idleWaiters.shift();
    if (waiter) {
      this.busy.add(w);
      waiter(w);
    } else w.setIdle(true);
  }

  /** Resolves with a worker reserved for the caller (released when its task ends). */
  private async acquire(): Promise<WorkerProcess> {
    await this.readyP;
    const idle = this.workers.find((w) => w.alive && !this.busy.has(w));
    if (idle) {
      this.busy.add(idle);
      return idle;
    }
    return new Promise((res) => this.idleWaiters.push(res));
  }

  /** Workers reserved for, or running, a task. */
  private readonly busy = new Set<WorkerProcess>();

  async runTask(task: Omit<TaskDescription, "closures">, closureIds: ClosureId[], closureBytes: ReadonlyMap<ClosureId, Uint8Array>): Promise<TaskResult> {
    if (this.stopping) throw new TsparkError("CONTEXT_STOPPED", "the SparkContext was stopped");
    this.hold(+1);
    try {
      return await this.dispatch(task, closureIds, closureBytes);
    } finally {
      this.hold(-1);
    }
  }

  /**
   * Idle workers are unref'd so a finished program can exit; while tasks are in flight a
   * timer keeps the driver alive (an awaited job must not look like a deadlock to Node).
   */
  private hold(delta: number): void {
    this.inFlight += delta;
    if (this.inFlight > 0 && !this.keepAlive) this.keepAlive = setInterval(() => {}, 1 << 30);
    if (this.inFlight === 0 && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }

  private async dispatch(task: Omit<TaskDescription, "closures">, closureIds: ClosureId[], closureBytes: ReadonlyMap<ClosureId, Uint8Array>): Promise<TaskResult> {
    const w = await this.acquire();
    const result = new Promise<TaskResult>((resolve) => this.pending.set(task.taskId, { resolve, worker: w }));
    try {
      const closures: Array<[ClosureId, Uint8Array]> = [];
      for (const id of closureIds) {
        if (w.closures.has(id)) continue;
        const bytes = closureBytes.get(id);
        if (!bytes) throw new TsparkError("PROTOCOL", `no bytes for closure ${id}`);
        closures.push([id, bytes]);
      }
      w.runningTaskId = task.taskId;
      w.setIdle(false);
      w.send({ type: "task", task: { ...task, closures } });
      for (const [id] of closures) w.closures.add(id);
    } catch (err) {
      this.pending.delete(task.taskId);
      w.runningTaskId = undefined;
      this.release(w);
      throw err;
    }
    return result;
  }

  killTask(taskId: number): void {
    this.pending.get(taskId)?.worker.kill();
  }

  executorInfos(): ExecutorInfo[] {
    return this.workers.map((w) => ({
      executorId: w.executorId,
      pid: w.pid,
      activeTasks: w.runningTaskId === undefined ? 0 : 1,
      completedTasks: w.completedTasks,
      failedTasks: w.failedTasks,
      peakRssBytes: w.peakRssBytes,
    }));
  }

  /** Process ids of the live workers (tests check none outlive the context). */
  pids(): number[] {
    return this.workers.filter((w) => w.alive).map((w) => w.pid);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(this.workers.map((w) => w.shutdown()));
  }
}

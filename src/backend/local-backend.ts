/**
 * `local[N]`: a pool of N long-lived worker processes on this machine, pre-started with the
 * context and reused across tasks and jobs. A worker that dies is replaced.
 */
import { flattenPlan, type ClosureId, type TaskDescription } from "../scheduler/plan.js";
import { RESULT_TOO_LARGE, type ExecutorBackend, type ExecutorEvents, type ExecutorInfo, type ResultLimit, type TaskResult } from "./backend.js";
import { WorkerProcess, type WorkerOptions } from "./worker-process.js";
import { discardStandbyWorkers } from "./standby-workers.js";
import type { WorkerMessage, DriverMessage } from "../worker/transport/protocol.js";
import { TsparkError } from "../errors.js";
import { formatBytes } from "../util/format.js";
import { appendPiece } from "../serde/result-pieces.js";
import { LOCAL_DIR_ENV } from "../worker/worker-env.js";
import { interruptTask, withdrawInterrupt } from "../worker/task-interrupts.js";

interface Pending {
  resolve: (r: TaskResult) => void;
  worker: WorkerProcess;
  /** Set when the task was asked to stop by a request file (withdrawn when it ends). */
  interrupted?: boolean;
  /** The records of a result sent in pieces so far, and their bytes (past the results limit, only the bytes). */
  parts?: { records: unknown[]; bytes: number; overLimit: boolean };
}


/** How long a task asked to stop may run on before its worker is replaced (PySpark's spark.python.task.killTimeout). */
const KILL_GRACE_MS = 2000;

/** Workers in a row that may exit before they are ready before none is started any more. */
const MAX_FAILED_STARTS = 5;

export class LocalBackend implements ExecutorBackend {
  readonly slots: number;
  private readonly workers: WorkerProcess[] = [];
  private readonly pending = new Map<number, Pending>();
  /** Tasks waiting for a worker; `preferred` (until `until`) is the executor holding their cached input. */
  private readonly idleWaiters: Array<{ take: (w: WorkerProcess) => void; fail: (e: Error) => void; preferred?: string; until: number }> = [];
  private nextExecutor = 0;
  /** Tasks submitted and not finished; while any, the driver's event loop is held open. */
  private inFlight = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly readyP: Promise<void>;
  /** Workers in a row that exited before they were ready (reset by one that gets ready). */
  private failedStarts = 0;
  /** Set once workers have failed to start MAX_FAILED_STARTS times in a row: new tasks fail with it. */
  private startFailure: TsparkError | undefined;

  constructor(
    slots: number,
    private readonly workerOptions: Omit<WorkerOptions, "executorId" | "echo">,
    private readonly events: ExecutorEvents,
    private readonly localityWaitMs = 3000,
    private readonly resultLimit: ResultLimit = { bytes: 0, text: "none" },
  ) {
    this.slots = slots;
    for (let i = 0; i < slots; i++) this.workers.push(this.spawn());
    discardStandbyWorkers(); // the launcher's workers this context did not adopt
    this.readyP = Promise.all(this.workers.map((w) => w.ready())).then(() => undefined);
    this.readyP.catch(() => {});
  }

  private spawn(): WorkerProcess {
    const executorId = String(this.nextExecutor++);
    const w = new WorkerProcess({ ...this.workerOptions, echo: (line, stream) => this.events.workerOutput(executorId, stream, line), executorId });
    w.onMessage = (msg, bytes) => this.onMessage(w, msg, bytes);
    w.ready().then(() => this.events.executorAdded(w.executorId, w.pid), () => {});
    w.onExit = (loss) => {
      this.events.executorLost(w.executorId, loss);
      const idx = this.workers.indexOf(w);
      if (idx >= 0) this.workers.splice(idx, 1);
      this.busy.delete(w);
      const taskId = w.runningTaskId;
      if (taskId !== undefined) {
        const p = this.pending.get(taskId);
        this.ended(taskId);
        w.failedTasks++;
        p?.resolve({
          ok: false,
          executorId: w.executorId,
          lostWorker: loss,
          blocks: [],
          error: {
            name: "WorkerLost",
            message: loss.protocolError
              ? `worker process ${loss.pid} sent a corrupt message (${loss.protocolError}) and was replaced`
              : loss.silentMs !== undefined
                ? `worker process ${loss.pid} sent no heartbeat for ${(loss.silentMs / 1000).toFixed(1)} s (stopped, or hung outside JavaScript; tspark.worker.timeout) and was replaced`
                : `worker process ${loss.pid} died (${loss.signal ? `signal ${loss.signal}` : `exit code ${loss.exitCode}`})`,
            stack: undefined,
            code: "WORKER_LOST",
          },
        });
      }
      if (!this.stopping) this.replace(w.isReady, loss.stderrTail);
    };
    return w;
  }

  /**
   * Starts a worker in place of one that exited. Workers that die before they are ready (a
   * bad node flag, a broken install) are started again with growing delays, and after
   * MAX_FAILED_STARTS in a row no more: the tasks waiting for a worker fail with the reason.
   */
  private replace(wasReady: boolean, stderrTail: string[]): void {
    this.failedStarts = wasReady ? 0 : this.failedStarts + 1;
    if (this.failedStarts >= MAX_FAILED_STARTS) {
      if (this.workers.some((x) => x.alive)) return;
      const why = stderrTail.length ? `; the last one's stderr:\n  ${stderrTail.join("\n  ")}` : "";
      this.startFailure = new TsparkError("WORKER_LOST", `worker processes cannot start: ${this.failedStarts} in a row exited before they were ready${why}`);
      for (const waiter of this.idleWaiters.splice(0)) waiter.fail(this.startFailure);
      return;
    }
    const start = () => {
      if (this.stopping) return;
      const fresh = this.spawn();
      this.workers.push(fresh);
      fresh.ready().then(() => this.release(fresh), () => {});
    };
    if (this.failedStarts === 0) start();
    else setTimeout(start, Math.min(5000, 100 * 2 ** (this.failedStarts - 1))).unref();
  }

  ready(): Promise<void> {
    return this.readyP;
  }

  private onMessage(w: WorkerProcess, msg: WorkerMessage, frameBytes: number): void {
    if (msg.type === "hello") return;
    if (msg.type === "barrier") {
      this.events.barrier(msg, (messages) => w.alive && w.send({ type: "barrierReply", requestId: msg.requestId, messages }));
      return;
    }
    const p = this.pending.get(msg.taskId);
    if (!p) return;
    if (msg.type === "resultPart") {
      // Checked as pieces come: a result past the limit is dropped before it fills the driver's heap.
      const parts = (p.parts ??= { records: [], bytes: 0, overLimit: false });
      parts.bytes += frameBytes;
      const limit = this.resultLimit.bytes;
      if (limit > 0 && parts.bytes > limit) {
        parts.overLimit = true;
        parts.records = [];
      }
      if (!parts.overLimit) appendPiece(parts.records, msg.records);
      return;
    }
    this.ended(msg.taskId);
    w.runningTaskId = undefined;
    w.peakRssBytes = Math.max(w.peakRssBytes, msg.metrics.peakRssBytes);
    const { parts } = p;
    if (msg.type === "result" && parts?.overLimit) {
      w.failedTasks++;
      const message = `the result of one task (${formatBytes(parts.bytes)} so far) exceeds ${this.resultLimit.text}`;
      p.resolve({ ok: false, error: { name: "TsparkError", code: RESULT_TOO_LARGE, message, stack: undefined }, metrics: msg.metrics, executorId: w.executorId, blocks: msg.blocks });
    } else if (msg.type === "result") {
      w.completedTasks++;
      if (parts) for (const r of msg.records) parts.records.push(r);
      const records = parts ? parts.records : msg.records;
      p.resolve({ ok: true, records, resultBytes: frameBytes + (parts?.bytes ?? 0), metrics: msg.metrics, executorId: w.executorId, blocks: msg.blocks, accumulators: msg.accumulators });
    } else {
      w.failedTasks++;
      p.resolve({ ok: false, error: msg.error, metrics: msg.metrics, executorId: w.executorId, blocks: msg.blocks });
    }
    this.release(w);
  }

  /** Forgets a task that ended, withdrawing a stop request it may not have seen. */
  private ended(taskId: number): void {
    const appDir = this.workerOptions.env[LOCAL_DIR_ENV];
    if (this.pending.get(taskId)?.interrupted && appDir !== undefined) withdrawInterrupt(appDir, taskId);
    this.pending.delete(taskId);
  }

  /** Hands an idle worker to whoever waits for one. */
  private release(w: WorkerProcess): void {
    this.busy.delete(w);
    if (!w.alive || this.stopping) return;
    // A waiter that prefers this worker first, then one that may run anywhere (FIFO).
    const now = Date.now();
    let i = this.idleWaiters.findIndex((x) => x.preferred === w.executorId);
    if (i < 0) i = this.idleWaiters.findIndex((x) => x.preferred === undefined || x.until <= now || !this.isLive(x.preferred));
    if (i >= 0) {
      const [waiter] = this.idleWaiters.splice(i, 1);
      this.busy.add(w);
      waiter!.take(w);
    } else w.setIdle(true);
  }

  private isLive(executorId: string): boolean {
    return this.workers.some((w) => w.executorId === executorId && w.alive);
  }

  /**
   * Resolves with a worker reserved for the caller (released when its task ends). With a
   * preferred executor (it holds the task's cached input in memory), waits for that one up
   * to the locality wait, then takes any: recomputing beats idling (Spark's delay scheduling).
   */
  private async acquire(preferred?: string): Promise<WorkerProcess> {
    await this.readyP;
    if (this.startFailure) throw this.startFailure;
    // stop() may have run while this task waited for the workers to start (or since it was
    // launched): it has already failed the waiters, so this one would wait forever.
    if (this.stopping) throw stoppedError();
    const free = this.workers.filter((w) => w.alive && w.isReady && !this.busy.has(w));
    const pick = (preferred !== undefined && this.isLive(preferred)) ? free.find((w) => w.executorId === preferred) : free[0];
    if (pick) {
      this.busy.add(pick);
      return pick;
    }
    return new Promise((resolve, reject) => {
      const waiter = { take: resolve, fail: reject, preferred, until: Date.now() + this.localityWaitMs };
      this.idleWaiters.push(waiter);
      if (preferred !== undefined) {
        // When the wait runs out, any idle worker will do.
        setTimeout(() => {
          if (!this.idleWaiters.includes(waiter)) return;
          const idle = this.workers.find((w) => w.alive && w.isReady && !this.busy.has(w));
          if (idle) {
            this.idleWaiters.splice(this.idleWaiters.indexOf(waiter), 1);
            this.busy.add(idle);
            resolve(idle);
          }
        }, this.localityWaitMs).unref();
      }
    });
  }

  /** Workers reserved for, or running, a task. */
  private readonly busy = new Set<WorkerProcess>();

  async runTask(task: Omit<TaskDescription, "closures">, closureIds: ClosureId[], closureBytes: ReadonlyMap<ClosureId, Uint8Array>, preferredExecutor?: string, onLaunch?: (executorId: string) => void): Promise<TaskResult> {
    if (this.stopping) throw stoppedError();
    this.hold(+1);
    try {
      return await this.dispatch(task, closureIds, closureBytes, preferredExecutor, onLaunch);
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

  private async dispatch(task: Omit<TaskDescription, "closures">, closureIds: ClosureId[], closureBytes: ReadonlyMap<ClosureId, Uint8Array>, preferred?: string, onLaunch?: (executorId: string) => void): Promise<TaskResult> {
    const w = await this.acquire(preferred);
    if (this.killedEarly.delete(task.taskId)) {
      // Cancelled while it waited for a worker: never starts.
      this.release(w);
      return { ok: false, executorId: w.executorId, blocks: [], error: { name: "TaskKilled", message: `task ${task.taskId} was killed before it started`, stack: undefined, code: "JOB_CANCELLED" } };
    }
    const result = new Promise<TaskResult>((resolve) => this.pending.set(task.taskId, { resolve, worker: w }));
    try {
      const closures: Array<[ClosureId, Uint8Array]> = [];
      for (const id of closureIds) {
        if (w.closures.has(id)) {
          w.closures.touch(id, 0);
          continue;
        }
        const bytes = closureBytes.get(id);
        if (!bytes) throw new TsparkError("PROTOCOL", `no bytes for closure ${id}`);
        closures.push([id, bytes]);
        w.closures.touch(id, bytes.length);
      }
      const forgetClosures = w.closures.evict(new Set(closureIds));
      w.runningTaskId = task.taskId;
      w.setIdle(false);
      w.send({ type: "task", task: { ...task, plan: flattenPlan(task.plan), closures, ...(forgetClosures.length > 0 ? { forgetClosures } : {}) } });
      onLaunch?.(w.executorId);
    } catch (err) {
      this.pending.delete(task.taskId);
      w.runningTaskId = undefined;
      this.release(w);
      throw err;
    }
    return result;
  }

  broadcastControl(msg: DriverMessage): void {
    for (const w of this.workers) if (w.alive) w.send(msg);
  }

  /** Tasks killed before they reached a worker. */
  private readonly killedEarly = new Set<number>();

  /**
   * A running task is asked to stop at its next batch boundary (task-interrupts.ts), so its
   * worker lives on with the partitions it caches; with `interruptRunning`, one still running
   * after `graceMs` (stuck in a long call, say) has its worker replaced.
   */
  killTask(taskId: number, interruptRunning = true, graceMs = KILL_GRACE_MS): void {
    const running = this.pending.get(taskId);
    if (!running) {
      this.killedEarly.add(taskId);
      return;
    }
    const appDir = this.workerOptions.env[LOCAL_DIR_ENV];
    // A request that could not be written (a full disk): an interrupted task is killed at once.
    const asked = appDir !== undefined && graceMs > 0 && interruptTask(appDir, taskId);
    if (asked) running.interrupted = true;
    if (!interruptRunning) return;
    if (!asked) {
      running.worker.kill();
      return;
    }
    setTimeout(() => {
      if (this.pending.get(taskId) === running) running.worker.kill();
    }, graceMs).unref();
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

  pids(): number[] {
    return this.workers.filter((w) => w.alive).map((w) => w.pid);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Tasks still waiting for a worker will never get one: fail them so nothing hangs.
    for (const w of this.idleWaiters.splice(0)) w.fail(stoppedError());
    await Promise.all(this.workers.map((w) => w.shutdown()));
  }
}

function stoppedError(): TsparkError {
  return new TsparkError("CONTEXT_STOPPED", "the SparkContext was stopped");
}

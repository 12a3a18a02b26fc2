/**
 * Application events (Spark's SparkListener events) and the bus that delivers them. The
 * scheduler and the context post; the web UI's status store and the event log listen.
 * Events are plain JSON data: the event log writes them as they are and `tspark history`
 * replays them into the same store.
 *
 * Delivery is synchronous, in posting order: the listeners we ship do O(1) in-memory work
 * (the event log buffers and writes once per tick), so a queue would only add latency and
 * make "state after an action returns" nondeterministic. A listener that throws is logged
 * once and keeps receiving; it never breaks or slows the scheduler with its error.
 */
import type { JobDag } from "./job-dag.js";
import type { TaskMetrics } from "../worker/transport/protocol.js";
import { log } from "../util/log.js";

export type JobResult = "SUCCEEDED" | "FAILED";
export type StageResult = "COMPLETE" | "FAILED";
export type TaskResultStatus = "SUCCESS" | "FAILED" | "KILLED";

/** What a task measured, plus the bytes of its result as the driver received them. */
export type TaskEndMetrics = TaskMetrics & { resultBytes: number };

export type TsparkEvent =
  | { event: "applicationStart"; time: number; appId: string; appName: string; user: string; master: string; version: string }
  | { event: "applicationEnd"; time: number }
  | { event: "environmentUpdate"; time: number; runtime: Array<[string, string]>; config: Array<[string, string]> }
  | { event: "executorAdded"; time: number; executorId: string; pid: number }
  | { event: "executorRemoved"; time: number; executorId: string; reason: string }
  /** `dag`: the job's lineage for the UI (absent in older event logs). */
  | { event: "jobStart"; time: number; jobId: number; name: string; description: string | undefined; group: string | undefined; dag?: JobDag }
  | { event: "jobEnd"; time: number; jobId: number; result: JobResult; error: string | undefined }
  /** `shuffleId`: a shuffle's map stage (the DAG's stage of that shuffle). */
  | { event: "stageSubmitted"; time: number; stageId: number; jobId: number; name: string; numTasks: number; shuffleId?: number }
  | { event: "stageCompleted"; time: number; stageId: number; result: StageResult; failureReason: string | undefined }
  /** `speculative`: a copy of a task that ran long (tspark.speculation). */
  | { event: "taskStart"; time: number; taskId: number; stageId: number; partition: number; attempt: number; executorId: string; speculative?: boolean }
  | {
      event: "taskEnd";
      time: number;
      taskId: number;
      stageId: number;
      partition: number;
      attempt: number;
      executorId: string;
      status: TaskResultStatus;
      metrics: TaskEndMetrics | undefined;
      error: string | undefined;
    }
  | { event: "rddPersisted"; time: number; rddId: number; name: string; numPartitions: number; storageLevel: string }
  | { event: "rddUnpersisted"; time: number; rddId: number }
  /** Accumulators a successful task added to, with their values once merged (shown as text). */
  | { event: "accumulatorsUpdated"; time: number; stageId: number; values: Array<[number, string]> }
  | { event: "blockUpdated"; time: number; executorId: string; blockId: string; memory: boolean; disk: boolean; bytes: number };


/** An event as posted: the bus stamps `time` when it is left out. */
export type PostedEvent = TsparkEvent extends infer E ? (E extends TsparkEvent ? Omit<E, "time"> & { time?: number } : never) : never;

export type Listener = (e: TsparkEvent) => void;

export class ListenerBus {
  private readonly listeners = new Set<Listener>();
  private readonly failedOnce = new WeakSet<Listener>();

  /** Adds a listener; returns its removal. */
  addListener(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  post(e: PostedEvent): void {
    if (this.listeners.size === 0) return;
    const event = (e.time === undefined ? { ...e, time: Date.now() } : e) as TsparkEvent;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        if (this.failedOnce.has(l)) continue;
        this.failedOnce.add(l);
        log("WARN", "listener-bus", `a listener failed on ${event.event} (further failures of it are not logged): ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }
}

/**
 * A barrier task's side of BarrierTaskContext.barrier() / allGather(): it sends a request
 * to the driver and waits for the reply that comes once every task of the stage has asked.
 * The transport supplies how requests go out and delivers the replies.
 */
import { TsparkError } from "../errors.js";
import { runningTaskScope } from "./task-context.js";

export interface BarrierRequest {
  type: "barrier";
  requestId: number;
  taskId: number;
  stageId: number;
  stageAttempt: number;
  partition: number;
  numTasks: number;
  message: string;
}

export type BarrierSend = (msg: BarrierRequest) => void;

export class BarrierClient {
  private nextRequest = 0;
  private readonly waiting = new Map<number, { resolve: (m: string[]) => void; reject: (e: Error) => void }>();

  /** `send` undefined: a runtime with no driver to ask (barrier requests fail). */
  constructor(private readonly send: BarrierSend | undefined) {}

  request(task: Omit<BarrierRequest, "type" | "requestId" | "message">, message: string): Promise<string[]> {
    if (!this.send) throw new TsparkError("INVALID_ARGUMENT", "barrier() can only be called inside a barrier task");
    const requestId = this.nextRequest++;
    const p = new Promise<string[]>((resolve, reject) => this.waiting.set(requestId, { resolve, reject }));
    this.send({ type: "barrier", requestId, ...task, message });
    return p;
  }

  /** The driver's reply to request `requestId`. */
  deliverReply(requestId: number, messages: string[] | undefined, error: string | undefined): void {
    const w = this.waiting.get(requestId);
    if (!w) return;
    this.waiting.delete(requestId);
    if (error !== undefined) w.reject(new TsparkError("TASK_FAILED", error));
    else w.resolve(messages ?? []);
  }
}

/** A request from the running task (BarrierTaskContext), through its runtime's client. */
export function barrierRequest(task: Omit<BarrierRequest, "type" | "requestId" | "message">, message: string): Promise<string[]> {
  const scope = runningTaskScope();
  if (!scope) throw new TsparkError("INVALID_ARGUMENT", "barrier() can only be called inside a barrier task");
  return scope.runtime.barrier.request(task, message);
}

/**
 * A barrier task's side of BarrierTaskContext.barrier() / allGather(): it sends a request
 * to the driver and waits for the reply that comes once every task of the stage has asked.
 */
import { TsparkError } from "../errors.js";

type Send = (msg: { type: "barrier"; requestId: number; taskId: number; stageId: number; stageAttempt: number; partition: number; numTasks: number; message: string }) => void;

let send: Send | undefined;
let nextRequest = 0;
const waiting = new Map<number, { resolve: (m: string[]) => void; reject: (e: Error) => void }>();

/** @internal worker-main wires the control channel in. */
export function setBarrierSender(s: Send): void {
  send = s;
}

/** @internal worker-main delivers the driver's reply. */
export function deliverBarrierReply(requestId: number, messages: string[] | undefined, error: string | undefined): void {
  const w = waiting.get(requestId);
  if (!w) return;
  waiting.delete(requestId);
  if (error !== undefined) w.reject(new TsparkError("TASK_FAILED", error));
  else w.resolve(messages ?? []);
}

export function barrierRequest(task: { taskId: number; stageId: number; stageAttempt: number; partition: number; numTasks: number }, message: string): Promise<string[]> {
  if (!send) throw new TsparkError("INVALID_ARGUMENT", "barrier() can only be called inside a barrier task");
  const requestId = nextRequest++;
  const p = new Promise<string[]>((resolve, reject) => waiting.set(requestId, { resolve, reject }));
  send({ type: "barrier", requestId, ...task, message });
  return p;
}

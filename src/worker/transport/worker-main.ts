/**
 * Entry point of a worker process. It talks to the driver over one control channel
 * (fd 3) in length-prefixed frames, runs one task at a time, and exits as soon as that
 * channel closes, so a dead driver never leaves workers behind.
 */
import net from "node:net";
import { FrameDecoder, encodeFrame } from "../../serde/framing.js";
import { encodeMessage, decodeMessage } from "../../serde/message-codec.js";
import { CONTROL_FD, type DriverMessage, type WorkerMessage, type SerializedError, type TaskMetrics } from "./protocol.js";
import { runTask } from "../task-runner.js";
import { blockStore } from "../caching-source.js";
import { setBarrierSender, deliverBarrierReply } from "../barrier-client.js";
import { setRunningTask, runTaskCleanups, takeSpillMetrics, takeAccumulatorUpdates, takeBroadcastBytes, takeIoMetrics } from "../task-context.js";
import { dropWorkerBroadcast } from "../../api/broadcast.js";
import { VERSION } from "../../version.js";
import { startOrphanWatchdog, exitOrphaned } from "./orphan-watchdog.js";
import { LOCAL_DIR_ENV } from "../worker-env.js";

const appDir = process.env[LOCAL_DIR_ENV];
startOrphanWatchdog(appDir);

const channel = new net.Socket({ fd: CONTROL_FD, readable: true, writable: true });
const decoder = new FrameDecoder();

function send(msg: WorkerMessage): void {
  channel.write(encodeFrame(encodeMessage(msg)));
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack, code: (err as { code?: unknown }).code as string | undefined };
  }
  return { name: "Error", message: `a non-Error value was thrown: ${String(err)}`, stack: undefined, code: undefined };
}

// A task's failure that escapes its promise chain (a throw in a timer, an unhandled
// rejection) fails the running task instead of killing the worker silently.
let failCurrent: ((err: unknown) => void) | undefined;
process.on("uncaughtException", (err) => (failCurrent ? failCurrent(err) : process.exit(70)));
process.on("unhandledRejection", (err) => (failCurrent ? failCurrent(err) : process.exit(70)));

let queue: Promise<void> = Promise.resolve();

async function handleTask(msg: Extract<DriverMessage, { type: "task" }>): Promise<void> {
  const { task } = msg;
  const started = performance.now();
  const metrics = (recordsOut: number): TaskMetrics => ({
    durationMs: performance.now() - started,
    recordsOut,
    ...takeSpillMetrics(),
    ...takeIoMetrics(),
    broadcastBytesRead: takeBroadcastBytes(),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  });
  let settled = false;
  const fail = (err: unknown) => {
    if (settled) return;
    settled = true;
    takeAccumulatorUpdates(); // a failed attempt's additions are dropped
    send({ type: "failure", taskId: task.taskId, error: serializeError(err), metrics: metrics(0), blocks: blockStore().takeUpdates() });
  };
  failCurrent = fail;
  setRunningTask({
    stageId: task.stageId,
    partitionId: task.partition,
    attemptNumber: task.attempt,
    taskAttemptId: task.taskId,
    localProperties: task.localProperties,
    ...(task.barrier ? { barrier: task.barrier } : {}),
  });
  try {
    const { records } = await runTask(task);
    // Encode before claiming success: a record that cannot be serialized fails the task.
    runTaskCleanups();
    const frame = encodeFrame(encodeMessage({ type: "result", taskId: task.taskId, records, metrics: metrics(records.length), blocks: blockStore().takeUpdates(), accumulators: takeAccumulatorUpdates() } satisfies WorkerMessage));
    if (!settled) {
      settled = true;
      channel.write(frame);
    }
  } catch (err) {
    fail(err);
  } finally {
    failCurrent = undefined;
    setRunningTask(undefined);
    runTaskCleanups();
  }
}

channel.on("data", (chunk: Buffer) => {
  for (const frame of decoder.push(chunk)) {
    const msg = decodeMessage<DriverMessage>(frame);
    if (msg.type === "shutdown") process.exit(0);
    else if (msg.type === "dropRdd") queue = queue.then(() => blockStore().dropRdd(msg.rddId));
    else if (msg.type === "dropBroadcast") queue = queue.then(() => dropWorkerBroadcast(msg.broadcastId));
    // Replies arrive while the task that asked is running: deliver at once, not after it.
    else if (msg.type === "barrierReply") deliverBarrierReply(msg.requestId, msg.messages, msg.error);
    else queue = queue.then(() => handleTask(msg));
  }
});
// The driver went away without a shutdown: nothing more will come, nobody wants our results.
channel.on("end", () => exitOrphaned(appDir));
channel.on("error", () => exitOrphaned(appDir));

setBarrierSender(send);
send({ type: "hello", version: VERSION, pid: process.pid });

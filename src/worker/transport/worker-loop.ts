/**
 * The message loop of a worker process of the local pool: one transport for the worker
 * runtime. It talks to the driver over one control channel (fd 3) in length-prefixed frames:
 * decodes a task, runs it with executeTask, encodes the outcome. It runs one task at a time,
 * and exits as soon as that channel closes, so a dead driver never leaves workers behind.
 * Loaded by the process's entry (worker-main.ts) once its orphan watchdog is started.
 */
import net from "node:net";
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from "../../serde/framing.js";
import { MAX_PIECE_BYTES, encodeRecordPieces } from "../../serde/result-pieces.js";
import { encodeMessage, decodeMessage } from "../../serde/message-codec.js";
import { CONTROL_FD, type DriverMessage, type WorkerMessage } from "./protocol.js";
import { executeTask, failRunningTask, undeliverable } from "../execute-task.js";
import { InterruptCheck } from "../task-interrupts.js";
import { createWorkerRuntime, type WorkerRuntime } from "../worker-runtime.js";
import { reclaimHeapBetweenTasks } from "../heap-reclaim.js";
import { VERSION } from "../../version.js";
import { exitOrphaned, type OrphanWatchdog } from "./orphan-watchdog.js";
import { settingsFromEnv, LOCAL_DIR_ENV } from "../worker-env.js";
import { inflatePlan, type TaskDescription } from "../../scheduler/plan.js";
import type { TaskOutcome } from "../task-outcome.js";

/**
 * Serves the driver on the control channel until it says shutdown or goes away. A standby
 * worker (`standby`) has no application yet and waits for its adopt message; `startAppDir` is
 * the application's directory as far as the process knows at start.
 */
export function serveDriver(watchdog: OrphanWatchdog, standby: boolean, startAppDir: string | undefined): void {
  let appDir = startAppDir;

  const channel = new net.Socket({ fd: CONTROL_FD, readable: true, writable: true });
  const decoder = new FrameDecoder();

  function send(msg: WorkerMessage): void {
    channel.write(encodeFrame(encodeMessage(msg)));
  }

  let runtime: WorkerRuntime | undefined = standby ? undefined : createWorkerRuntime(settingsFromEnv(), send);

  /** A standby worker's adoption: the application's variables, then the runtime they configure. */
  function adopt(env: Record<string, string | null>): WorkerRuntime {
    for (const [key, value] of Object.entries(env)) {
      if (value === null) delete process.env[key];
      else process.env[key] = value;
    }
    appDir = process.env[LOCAL_DIR_ENV];
    watchdog.setAppDir(appDir);
    return createWorkerRuntime(settingsFromEnv(), send);
  }

  // A task's failure that escapes its promise chain (a throw in a timer, an unhandled
  // rejection) fails the running task instead of killing the worker silently.
  process.on("uncaughtException", (err) => failRunningTask(err) || process.exit(70));
  process.on("unhandledRejection", (err) => failRunningTask(err) || process.exit(70));

  let queue: Promise<void> = Promise.resolve();

  async function handleTask(runtime: WorkerRuntime, task: TaskDescription): Promise<void> {
    const outcome = await executeTask(task, runtime, { interrupts: InterruptCheck.forTask(appDir, task.taskId) });
    let sent: Promise<void> = Promise.resolve();
    for (const frame of outcomeFrames(outcome)) sent = new Promise((resolve) => channel.write(frame, () => resolve()));
    // Once the outcome has left (a large result may take a while to write): the driver waits for it, not for this.
    await sent;
    reclaimHeapBetweenTasks();
  }

  channel.on("data", (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      const msg = decodeMessage<DriverMessage>(frame);
      if (msg.type === "shutdown") process.exit(0);
      if (msg.type === "adopt") {
        runtime ??= adopt(msg.env);
        continue;
      }
      const rt = runtime;
      if (!rt) throw new Error(`a standby worker got a ${msg.type} message before it was adopted`);
      if (msg.type === "dropRdd") queue = queue.then(() => rt.blocks.dropRdd(msg.rddId));
      else if (msg.type === "dropBroadcast") queue = queue.then(() => void rt.broadcasts.delete(msg.broadcastId));
      // Replies arrive while the task that asked is running: deliver at once, not after it.
      else if (msg.type === "barrierReply") rt.barrier.deliverReply(msg.requestId, msg.messages, msg.error);
      else queue = queue.then(() => handleTask(rt, { ...msg.task, plan: inflatePlan(msg.task.plan) }));
    }
  });
  // The driver went away without a shutdown: nothing more will come, nobody wants our results.
  channel.on("end", () => exitOrphaned(appDir));
  channel.on("error", () => exitOrphaned(appDir));

  send({ type: "hello", version: VERSION, pid: process.pid });
}

/**
 * The frames of a task's outcome: one, or for a result larger than a frame, its records in
 * pieces (resultPart messages) and then the outcome without them. Encoded before claiming
 * success: a record that cannot be serialized, or one too large for a frame, fails the task.
 */
function* outcomeFrames(outcome: TaskOutcome): Generator<Buffer, void, undefined> {
  let payload: Buffer;
  try {
    payload = encodeMessage(outcome, "result");
  } catch (err) {
    if (outcome.type !== "result") throw err;
    yield encodeFrame(encodeMessage(undeliverable(outcome, err)));
    return;
  }
  if (outcome.type !== "result" || payload.length <= MAX_FRAME_BYTES) {
    yield encodeFrame(payload);
    return;
  }
  try {
    for (const piece of encodeRecordPieces(outcome.records, MAX_PIECE_BYTES, payload.length)) {
      yield encodeFrame(encodeMessage({ type: "resultPart", taskId: outcome.taskId, records: piece } satisfies WorkerMessage));
    }
  } catch (err) {
    yield encodeFrame(encodeMessage(undeliverable(outcome, err)));
    return;
  }
  yield encodeFrame(encodeMessage({ ...outcome, records: [] }));
}

/**
 * A running task's cancellation, as Spark's TaskContext.isInterrupted: the task stops at its
 * next batch boundary and its worker lives on, with the partitions it caches (Spark kills a
 * task this way; only one that does not stop within a grace period loses its worker).
 *
 * The driver asks by creating a file named after the task in the application's directory.
 * A message on the worker's control channel would wait for its event loop, which a
 * synchronous pipeline holds until its task ends; a file is seen by the task itself. The
 * task's sources look for it as they hand over a batch, at most every CHECK_MS.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TsparkError } from "../errors.js";
import type { BatchStream } from "./batch-stream.js";
import { isAsyncStream } from "./batch-stream.js";

/** How often, at most, a running task looks for its interruption (a file's stat). */
const CHECK_MS = 100;

function interruptPath(appDir: string, taskId: number): string {
  return join(appDir, "interrupted-tasks", String(taskId));
}

/**
 * The driver's side: asks task `taskId` to stop; false when the request could not be written
 * (a full disk). The task removes the request once it has seen it; for one that ended first,
 * the driver withdraws it (withdrawInterrupt).
 */
export function interruptTask(appDir: string, taskId: number): boolean {
  try {
    mkdirSync(join(appDir, "interrupted-tasks"), { recursive: true });
    writeFileSync(interruptPath(appDir, taskId), "");
    return true;
  } catch {
    return false;
  }
}

/** The driver's side: removes a request the task ended without seeing (nothing if it saw it). */
export function withdrawInterrupt(appDir: string, taskId: number): void {
  rmSync(interruptPath(appDir, taskId), { force: true });
}

/** A task's side: whether it was asked to stop (looked up at most every CHECK_MS). */
export class InterruptCheck {
  private lastLook = performance.now();
  private interrupted = false;

  constructor(private readonly path: string | undefined) {}

  static forTask(appDir: string | undefined, taskId: number): InterruptCheck {
    return new InterruptCheck(appDir === undefined ? undefined : interruptPath(appDir, taskId));
  }

  isInterrupted(): boolean {
    if (this.interrupted || this.path === undefined) return this.interrupted;
    const now = performance.now();
    if (now - this.lastLook < CHECK_MS) return false;
    this.lastLook = now;
    this.interrupted = existsSync(this.path);
    if (this.interrupted) rmSync(this.path, { force: true });
    return this.interrupted;
  }

  /** Throws the cancellation when the task was asked to stop. */
  throwIfInterrupted(): void {
    if (this.isInterrupted()) throw new TsparkError("JOB_CANCELLED", "the task was cancelled (its job was), and stopped at a batch boundary");
  }
}

/** `stream`, stopping with JOB_CANCELLED at the first batch after the task was asked to stop. */
export function interruptible<T>(stream: BatchStream<T>, check: InterruptCheck): BatchStream<T> {
  if (isAsyncStream(stream)) {
    return (async function* () {
      for await (const batch of stream) {
        check.throwIfInterrupted();
        yield batch;
      }
    })();
  }
  return (function* () {
    for (const batch of stream) {
      check.throwIfInterrupted();
      yield batch;
    }
  })();
}

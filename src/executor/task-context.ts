/**
 * What the running task is, inside a worker. A worker runs one task at a time, so one
 * module-level slot is enough; the public TaskContext API reads it.
 */
export interface RunningTask {
  stageId: number;
  partitionId: number;
  attemptNumber: number;
  taskAttemptId: number;
  localProperties: Record<string, string>;
}

let current: RunningTask | undefined;

export function setRunningTask(t: RunningTask | undefined): void {
  current = t;
}

export function runningTask(): RunningTask | undefined {
  return current;
}

const cleanups: Array<() => void> = [];

/** Runs `fn` when the current task ends (temporary files of group-by overflow, ...). */
export function onTaskEnd(fn: () => void): void {
  cleanups.push(fn);
}

/** Called by the worker after each task. */
export function runTaskCleanups(): void {
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      /* cleanup is best effort */
    }
  }
}

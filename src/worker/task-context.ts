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
  barrier?: { numTasks: number; stageAttempt: number };
}

let current: RunningTask | undefined;

export function setRunningTask(t: RunningTask | undefined): void {
  current = t;
}

export function runningTask(): RunningTask | undefined {
  return current;
}

const spill = { count: 0, bytes: 0 };

/** Records a spill of the running task (reported in its metrics). */
export function recordSpill(bytes: number): void {
  spill.count++;
  spill.bytes += bytes;
}

/** The running task's spill totals; reset when read at the task's end. */
export function takeSpillMetrics(): { spills: number; spillBytes: number } {
  const r = { spills: spill.count, spillBytes: spill.bytes };
  spill.count = 0;
  spill.bytes = 0;
  return r;
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

/** The running task's accumulator values (id → its local sum), merged by the driver on success. */
const accumulators = new Map<number, unknown>();

export function accumulatorSlot(id: number): { get(): unknown; set(v: unknown): void; has(): boolean } {
  return {
    get: () => accumulators.get(id),
    set: (v) => void accumulators.set(id, v),
    has: () => accumulators.has(id),
  };
}

export function takeAccumulatorUpdates(): Array<[number, unknown]> {
  const u = [...accumulators];
  accumulators.clear();
  return u;
}

let broadcastBytes = 0;

/** Counts bytes a broadcast value read from its file (reported per task: proves once per worker). */
export function recordBroadcastRead(bytes: number): void {
  broadcastBytes += bytes;
}

/** The running task's input and shuffle traffic, counted per batch or per file (never per record). */
const io = { recordsIn: 0, bytesIn: 0, shuffleReadBytes: 0, shuffleWriteBytes: 0 };

export function recordInput(records: number, bytes = 0): void {
  io.recordsIn += records;
  io.bytesIn += bytes;
}

export function recordShuffleRead(bytes: number): void {
  io.shuffleReadBytes += bytes;
}

export function recordShuffleWrite(bytes: number): void {
  io.shuffleWriteBytes += bytes;
}

/** The running task's input/shuffle totals; reset when read at the task's end. */
export function takeIoMetrics(): { recordsIn: number; bytesIn: number; shuffleReadBytes: number; shuffleWriteBytes: number } {
  const r = { ...io };
  io.recordsIn = io.bytesIn = io.shuffleReadBytes = io.shuffleWriteBytes = 0;
  return r;
}

export function takeBroadcastBytes(): number {
  const b = broadcastBytes;
  broadcastBytes = 0;
  return b;
}

/** True inside a worker process (driver-only operations check it). */
export function inWorker(): boolean {
  return process.env["TSPARK_WORKER"] === "1";
}

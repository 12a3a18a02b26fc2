/**
 * What a shuffle buffer (map-side writer, reduce-side combiner and sorter, reader) takes
 * from the task it runs in. The caller passes it in: shuffle/ knows nothing of workers,
 * transports or which task is running, so the same buffers run in any task runtime.
 */

/** Where a task's spill and shuffle-read traffic is counted (reported in its metrics). */
export interface ShuffleMetrics {
  recordSpill(bytes: number): void;
  recordShuffleRead(bytes: number): void;
}

export interface TaskResources {
  /** Bytes the task's buffers may hold before spilling. */
  readonly memoryBytes: number;
  /** The directory spill runs go to (made on first use). */
  spillDir(): string;
  readonly metrics: ShuffleMetrics;
  /** Runs `fn` when the task ends, however it ends (temporary files of a spilled group, ...). */
  onTaskEnd(fn: () => void): void;
}

/**
 * Resources for buffers used outside any task runtime (tests, tools): spills and shuffle
 * reads are counted in `metrics`; cleanups are the caller's.
 */
export function standaloneResources(spillDir: string, memoryBytes: number) {
  const metrics = {
    spills: 0,
    spillBytes: 0,
    shuffleReadBytes: 0,
    recordSpill(bytes: number): void {
      metrics.spills++;
      metrics.spillBytes += bytes;
    },
    recordShuffleRead(bytes: number): void {
      metrics.shuffleReadBytes += bytes;
    },
  };
  return { memoryBytes, spillDir: () => spillDir, metrics, onTaskEnd: () => {} } satisfies TaskResources;
}

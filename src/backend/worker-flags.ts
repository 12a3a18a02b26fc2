/**
 * The node flags and environment of tspark's worker processes, from a context's settings: the
 * driver starts its workers with them, Spark's executors get the heap flags through
 * NODE_OPTIONS, and the launcher starts its standby workers with them
 * (backend/standby-workers.ts).
 */
import { heapMegabytes } from "../config/bytes.js";
import type { Settings } from "../config/settings.js";

/**
 * Young-generation size of workers. Tasks allocate a tuple or string per record that dies
 * within a batch; a larger semi-space lets fewer of them survive a scavenge and get copied.
 * But the young generation is three semi-spaces of resident memory, and with fused steps
 * the default buffer budget's workloads spend little in GC at 16 MB while each worker's peak
 * is much lower (measured: the README's notes on the honest baselines), so the
 * semi-space grows with the buffer budget (tspark.worker.memory / 32, 16-64 MB) and shrinks
 * with a heap limit (/ 16).
 */
export function workerSemiSpaceMB(workerMemoryBytes: number, heapBytes: number | undefined): number {
  const mb = Math.min(64, Math.max(16, workerMemoryBytes / 2 ** 20 / 32), heapBytes === undefined ? Infinity : heapBytes / 2 ** 20 / 16);
  return Math.max(1, Math.floor(mb));
}

/** The heap limit (tspark.executor.memory) and young generation of a worker. */
export function workerHeapFlags(settings: Pick<Settings, "executorMemory" | "workerMemory">): string[] {
  return [...(settings.executorMemory !== undefined ? [`--max-old-space-size=${heapMegabytes(settings.executorMemory)}`] : []), `--max-semi-space-size=${workerSemiSpaceMB(settings.workerMemory, settings.executorMemory)}`];
}

/** Every node flag of a worker of tspark's engine: the heap flags, then tspark.executor.extraNodeOptions. */
export function localWorkerNodeArgs(settings: Pick<Settings, "executorMemory" | "workerMemory" | "executorNodeOptions">): string[] {
  return [...workerHeapFlags(settings), ...settings.executorNodeOptions];
}

/** The variables `tspark.executorEnv.NAME=value` settings add to every worker's environment. */
export function executorEnv(settings: Iterable<[string, string]>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of settings) if (k.startsWith("tspark.executorEnv.")) env[k.slice("tspark.executorEnv.".length)] = v;
  return env;
}

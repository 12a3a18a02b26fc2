/**
 * Per-application settings a worker process receives from the driver in its environment (at
 * spawn time, or when a standby worker is adopted): where to put shuffle and spill files, and
 * its memory budgets. Read once into the worker runtime's settings (worker-runtime.ts); task
 * code gets them from there.
 */
import { tmpdir } from "node:os";

/** Set in the environment of every worker process tspark's engine starts. */
export const WORKER_ENV = "TSPARK_WORKER";
/**
 * Set in a worker started before its application was known (backend/standby-workers.ts): it
 * waits for the application's variables (adopt message) before it sets up.
 */
export const STANDBY_ENV = "TSPARK_WORKER_STANDBY";
export const LOCAL_DIR_ENV = "TSPARK_LOCAL_DIR";
export const WORKER_MEMORY_ENV = "TSPARK_WORKER_MEMORY_BYTES";
export const STORAGE_MEMORY_ENV = "TSPARK_STORAGE_MEMORY_BYTES";
export const PROFILE_DIR_ENV = "TSPARK_PROFILE_DIR";
/** The application's own variables: a standby worker receives them when it is adopted. */
export const APPLICATION_ENV: readonly string[] = [LOCAL_DIR_ENV, WORKER_MEMORY_ENV, STORAGE_MEMORY_ENV, PROFILE_DIR_ENV];

export interface WorkerSettings {
  /** The application's local directory (shuffle outputs, disk blocks and spill runs live here). */
  localDir: string;
  /** Bytes that aggregation, group-by and sort buffers may hold before spilling. */
  workerMemoryBytes: number;
  /** Bytes of cached blocks a worker keeps in memory before evicting. */
  storageMemoryBytes: number;
  /** Where each task's CPU profile is written (tspark.worker.profileDir); none: tasks are not profiled. */
  profileDir?: string | undefined;
}

/** The application's local directory, from the environment (SparkFiles reads it too). */
export function localDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[LOCAL_DIR_ENV] ?? tmpdir();
}

function byteSetting(value: string | undefined, fallback: number, zeroAllowed: boolean): number {
  const v = Number(value);
  return Number.isFinite(v) && (zeroAllowed ? v >= 0 : v > 0) ? v : fallback;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    localDir: localDir(env),
    workerMemoryBytes: byteSetting(env[WORKER_MEMORY_ENV], 512 * 1024 * 1024, false),
    storageMemoryBytes: byteSetting(env[STORAGE_MEMORY_ENV], 256 * 1024 * 1024, true),
    profileDir: env[PROFILE_DIR_ENV] || undefined,
  };
}

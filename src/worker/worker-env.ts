/**
 * Per-application settings a worker process receives from the driver at spawn time, in its
 * environment: where to put shuffle and spill files, and its memory budget for buffers.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

export const LOCAL_DIR_ENV = "TSPARK_LOCAL_DIR";
export const WORKER_MEMORY_ENV = "TSPARK_WORKER_MEMORY_BYTES";

/** The application's local directory (shuffle outputs live here). */
export function localDir(): string {
  return process.env[LOCAL_DIR_ENV] ?? tmpdir();
}

let spillDirMade: string | undefined;

/** Where this worker writes spill runs (made on first use). */
export function spillDir(): string {
  if (!spillDirMade) {
    spillDirMade = join(localDir(), `spill-${process.pid}`);
    mkdirSync(spillDirMade, { recursive: true });
  }
  return spillDirMade;
}

export const STORAGE_MEMORY_ENV = "TSPARK_STORAGE_MEMORY_BYTES";

/** Bytes of cached blocks a worker keeps in memory before evicting. */
export function storageMemoryBytes(): number {
  const v = Number(process.env[STORAGE_MEMORY_ENV]);
  return Number.isFinite(v) && v >= 0 ? v : 256 * 1024 * 1024;
}

/** Bytes that aggregation, group-by and sort buffers may hold before spilling. */
export function workerMemoryBytes(): number {
  const v = Number(process.env[WORKER_MEMORY_ENV]);
  return Number.isFinite(v) && v > 0 ? v : 512 * 1024 * 1024;
}

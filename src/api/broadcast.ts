/**
 * Broadcast variables: a read-only value sent to each worker once. The driver writes the
 * value to a file in the application's directory when it is created (its CRC-32, then the
 * V8-serialized value: a damaged file is an error naming it); a closure that uses
 * the Broadcast carries only its id and path; each worker reads and decodes the file on
 * the first `.value` in any of its tasks and keeps it for the tasks that follow.
 */
import { deserializeValue, serializeValue } from "../serde/value-codec.js";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { writeWholeFile, LOCAL_FILE } from "../util/fs-errors.js";
import { CAPTURE_AS, type CaptureAsDescriptor } from "../closure/hooks.js";
import { hookArguments } from "../closure/format.js";
import { recordBroadcastRead, runningTaskScope } from "../worker/task-context.js";
import { TsparkError } from "../errors.js";
import { crc32 } from "../util/crc32.js";

/** Bytes before the value in a broadcast's file: the value's CRC-32. */
const CHECKSUM_BYTES = 4;

export class Broadcast<T> {
  private destroyed = false;

  /**
   * @internal Made by `sc.broadcast(value)`; `onRelease` tells workers to drop their copy (`destroyed`: for good).
   * @param id The broadcast's id within its SparkContext.
   * @param path The file holding the serialized value, which workers read.
   */
  constructor(readonly id: number, private readonly local: T, readonly path: string, private readonly onRelease: (id: number, destroyed: boolean) => void) {
    this.write();
  }

  /** Writes the value's file for workers to read. */
  private write(): void {
    const bytes = serializeValue(this.local, "the broadcast value");
    const file = Buffer.allocUnsafe(CHECKSUM_BYTES + bytes.length);
    file.writeUInt32LE(crc32(bytes), 0);
    file.set(bytes, CHECKSUM_BYTES);
    try {
      writeWholeFile(this.path, file, LOCAL_FILE);
    } catch (err) {
      rmSync(this.path, { force: true }); // a full disk: no half-written value for workers to read
      throw err;
    }
  }

  /**
   * The value (on the driver: the original object).
   *
   * @example
   * ```ts
   * const lookup = sc.broadcast({ a: "apple", b: "banana" });
   * lookup.value.a; // → "apple"
   * await sc.parallelize(["b", "a"]).map((k) => lookup.value[k as "a" | "b"]).collect(); // → ["banana", "apple"]
   * ```
   */
  get value(): T {
    this.checkAlive();
    return this.local;
  }

  private checkAlive(): void {
    if (this.destroyed) throw new TsparkError("INVALID_ARGUMENT", `Attempted to use broadcast variable ${this.id} after it was destroyed`);
  }

  /**
   * Drops the workers' copies; they read the value again if a later task uses it.
   *
   * @example
   * ```ts
   * const big = sc.broadcast(new Array(1000).fill(1));
   * await sc.parallelize([1, 2]).map((i) => big.value[i]).sum(); // → 2
   * big.unpersist(); // workers drop their copies...
   * await sc.parallelize([3]).map((i) => big.value[i]).sum(); // → 1
   * ```
   */
  unpersist(blocking = false): void {
    void blocking;
    this.onRelease(this.id, false);
  }

  /**
   * Releases the value everywhere; any later use is an error.
   *
   * @example
   * ```ts
   * const b = sc.broadcast([1, 2, 3]);
   * b.destroy();
   * (() => { try { return b.value; } catch (e) { return (e as TsparkError).code; } })(); // → "INVALID_ARGUMENT"
   * ```
   */
  destroy(blocking = false): void {
    void blocking;
    if (this.destroyed) return;
    this.destroyed = true;
    this.onRelease(this.id, true);
    rmSync(this.path, { force: true });
  }

  /** @internal */
  [CAPTURE_AS](): CaptureAsDescriptor {
    this.checkAlive();
    // Shipped with a job: a file removed meanwhile (a temporary-file cleaner) is written again from the driver's copy.
    if (!existsSync(this.path)) this.write();
    return { module: import.meta.url, export: "workerBroadcast", args: [this.id, this.path] };
  }
}

/** A task's side of a broadcast: decodes the value on first use, once per worker. */
class WorkerBroadcast<T> {
  constructor(readonly id: number, private readonly path: string) {}

  /** The value's file: where the worker's engine put it (Spark's executors), else the driver's. */
  private file(): string {
    return runningTaskScope()?.runtime.broadcastFiles.get(this.id) ?? this.path;
  }

  get value(): T {
    // Decoded values live in the worker runtime running the task (its `broadcasts`), which
    // drops them on unpersist/destroy; read outside any task, the value is not kept.
    const workerValues = runningTaskScope()?.runtime.broadcasts ?? new Map<number, unknown>();
    if (!workerValues.has(this.id)) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(this.file());
      } catch (err) {
        throw new TsparkError("INPUT_UNREADABLE", `broadcast variable ${this.id} cannot be read from ${this.file()} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): was the application's scratch directory removed while it ran?`, { cause: err });
      }
      recordBroadcastRead(bytes.length);
      const value = bytes.subarray(CHECKSUM_BYTES);
      if (bytes.length < CHECKSUM_BYTES || crc32(value) !== bytes.readUInt32LE(0)) {
        throw new TsparkError("CORRUPT_FILE", `broadcast variable ${this.id}'s file ${this.file()} is damaged: its ${bytes.length} bytes fail their checksum`);
      }
      workerValues.set(this.id, deserializeValue(value));
    }
    return workerValues.get(this.id) as T;
  }

  unpersist(): void {
    throw new TsparkError("INVALID_ARGUMENT", "a broadcast variable can only be unpersisted on the driver");
  }

  destroy(): void {
    throw new TsparkError("INVALID_ARGUMENT", "a broadcast variable can only be destroyed on the driver");
  }
}

/** The ids of the broadcasts that captured closures (a job's functions) refer to: those its tasks need. */
export function broadcastsUsedBy(closures: Iterable<Uint8Array>): Set<number> {
  const ids = new Set<number>();
  for (const bytes of closures) for (const [id] of hookArguments(bytes, import.meta.url, "workerBroadcast")) ids.add(id as number);
  return ids;
}

/** @internal Worker-side factory named by the capture descriptor. */
export function workerBroadcast<T>(id: number, path: string): WorkerBroadcast<T> {
  return new WorkerBroadcast<T>(id, path);
}

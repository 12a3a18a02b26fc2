/**
 * What one worker process keeps across its tasks, whatever transport brings them: its
 * settings, cached blocks, decoded broadcast values, received closures and the channel
 * barrier requests go out on. executeTask (execute-task.ts) takes it explicitly; a
 * transport (transport/worker-loop.ts: the local pool's fd-3 pipe) makes one at start-up.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BlockStore } from "../storage/block-store.js";
import { BarrierClient, type BarrierSend } from "./barrier-client.js";
import type { WorkerSettings } from "./worker-env.js";
import { CLOSURE_CACHE_BYTES, type ClassTable, type ClosureId } from "../scheduler/plan.js";
import { recordClass, registerRecordClass } from "../serde/record-classes.js";
import { hasCustomCodec, registerCustomCodec, type CustomSerializerSpec } from "../serde/record-serializers.js";
import { forgetRevived, reviveClosure } from "../closure/revive.js";
import { ByteLru } from "../util/byte-lru.js";
import { spillDirName } from "../storage/local-layout.js";
import { TsparkError } from "../errors.js";

export interface WorkerRuntime {
  readonly settings: WorkerSettings;
  /** Cached RDD partitions (persist), in this process's memory or on the local disk. */
  readonly blocks: BlockStore;
  /** Broadcast values decoded in this process, by broadcast id. */
  readonly broadcasts: Map<number, unknown>;
  /** Where broadcast values are read from, by id, when the engine put them elsewhere than the driver's path (Spark's executors). */
  readonly broadcastFiles: Map<number, string>;
  readonly closures: ClosureCache;
  readonly barrier: BarrierClient;
  /** Where SparkFiles.get finds the files the driver added (addFile). */
  readonly filesDir: string;
  /** Where this process writes spill runs (made on first use). */
  spillDir(): string;
}

/**
 * The closures a worker holds: their bytes by id, as tasks bring them (a task carries only
 * the bytes new to its worker). Revival is cached once per process in closure/revive.ts,
 * by the same id, so this keeps bytes only; forgetting a closure forgets its revival too.
 * On tspark's engine the driver says which to forget (TaskDescription.forgetClosures); on
 * Spark, whose tasks bring all their closures, the worker bounds them itself (trim).
 */
export class ClosureCache {
  private readonly bytes = new Map<ClosureId, Uint8Array>();
  private readonly lru = new ByteLru<ClosureId>(CLOSURE_CACHE_BYTES);

  add(id: ClosureId, bytes: Uint8Array): void {
    this.bytes.set(id, bytes);
    this.lru.touch(id, bytes.length);
  }

  forget(id: ClosureId): void {
    this.bytes.delete(id);
    this.lru.delete(id);
    forgetRevived(id);
  }

  /** Forgets the least recently used closures past CLOSURE_CACHE_BYTES, except `keep`. */
  trim(keep: ReadonlySet<ClosureId>): void {
    for (const id of this.lru.evict(keep)) this.forget(id);
  }

  /**
   * Makes the task's record classes known to this process (serde/record-classes.ts) before
   * it decodes anything: each one this process has no class for yet is revived.
   */
  async reviveRecordClasses(classes: ClassTable): Promise<void> {
    for (const [id, closure] of classes) if (!recordClass(id)) registerRecordClass(id, await this.fn(closure));
  }

  /** Registers the task's custom serializers this process does not have yet, their functions revived. */
  async reviveSerializers(serializers: CustomSerializerSpec[]): Promise<void> {
    for (const s of serializers) {
      if (hasCustomCodec(s.id)) continue;
      const [encode, decode] = await Promise.all([this.fn(s.encode), this.fn(s.decode)]);
      registerCustomCodec(s.id, { encode: encode as (record: unknown) => Uint8Array, decode: decode as (bytes: Uint8Array) => unknown });
    }
  }

  /** The revived function (revived on its first use in this process). */
  fn(id: ClosureId): Promise<Function> {
    const bytes = this.bytes.get(id);
    if (!bytes) return Promise.reject(new TsparkError("PROTOCOL", `closure ${id} was never sent to this worker`));
    this.lru.touch(id, bytes.length);
    return reviveClosure(bytes, id);
  }
}

/** `sendBarrier` undefined: no driver to coordinate barrier stages with (in-process runs). */
export function createWorkerRuntime(settings: WorkerSettings, sendBarrier?: BarrierSend): WorkerRuntime {
  let spillDirMade: string | undefined;
  return {
    settings,
    blocks: new BlockStore(join(settings.localDir, "blocks"), settings.storageMemoryBytes),
    broadcasts: new Map(),
    broadcastFiles: new Map(),
    filesDir: join(settings.localDir, "files"),
    closures: new ClosureCache(),
    barrier: new BarrierClient(sendBarrier),
    spillDir() {
      if (!spillDirMade) {
        spillDirMade = join(settings.localDir, spillDirName(process.pid));
        mkdirSync(spillDirMade, { recursive: true });
      }
      return spillDirMade;
    },
  };
}

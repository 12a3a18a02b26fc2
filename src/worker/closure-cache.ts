/**
 * The closures a worker holds: their bytes by id, as tasks bring them (a task carries only
 * the bytes new to its worker). Revival is cached once per process in closure/revive.ts,
 * by the same id, so this keeps bytes only.
 */
import type { ClosureId } from "../scheduler/plan.js";
import { reviveClosure } from "../closure/revive.js";
import { TsparkError } from "../errors.js";

export class ClosureCache {
  private readonly bytes = new Map<ClosureId, Uint8Array>();

  add(id: ClosureId, bytes: Uint8Array): void {
    this.bytes.set(id, bytes);
  }

  /** The revived function (revived on its first use in this process). */
  fn(id: ClosureId): Promise<Function> {
    const bytes = this.bytes.get(id);
    if (!bytes) return Promise.reject(new TsparkError("PROTOCOL", `closure ${id} was never sent to this worker`));
    return reviveClosure(bytes, id);
  }
}

/**
 * Collects what one job ships: each user function is captured once per job (with the
 * current values of its variables, as PySpark pickles per job) and referred to by id.
 */
import { captureClosure } from "../closure/capture.js";
import type { ClosureId } from "./plan.js";

export class JobPlanner {
  readonly closureBytes = new Map<ClosureId, Uint8Array>();
  private readonly ids = new Map<Function, ClosureId>();

  /** Captures `fn` (once per job) and returns its id. Throws at submission if it cannot be shipped. */
  closure(fn: Function, what: string): ClosureId {
    let id = this.ids.get(fn);
    if (id === undefined) {
      const c = captureClosure(fn, what);
      id = c.id;
      this.closureBytes.set(id, c.bytes);
      this.ids.set(fn, id);
    }
    return id;
  }
}

/**
 * Collects what one job ships: each user function is captured once per job (with the
 * current values of its variables, as PySpark pickles per job) and referred to by id.
 */
import { captureClosure, captureRecordClass } from "../closure/capture.js";
import { recordClasses } from "../serde/record-classes.js";
import type { ClassTable, ClosureId } from "./plan.js";

export class JobPlanner {
  readonly closureBytes = new Map<ClosureId, Uint8Array>();
  private readonly ids = new Map<Function, ClosureId>();
  private classes: ClassTable | undefined;

  /**
   * The classes records may be instances of (every class the driver has captured or met in
   * a value), each as its own closure, added to the job's closures: a task's worker revives
   * them before it decodes anything. Made once per job, after its plans.
   */
  recordClassTable(): ClassTable {
    if (!this.classes) {
      this.classes = [];
      for (const [id, ctor] of recordClasses()) {
        let closure;
        try {
          closure = captureRecordClass(ctor).closure;
        } catch {
          continue; // cannot travel on its own: its instances fail to decode, naming it
        }
        this.closureBytes.set(closure.id, closure.bytes);
        this.classes.push([id, closure.id]);
      }
    }
    return this.classes;
  }

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

/**
 * Collects what one job ships: each user function is captured once per job (with the
 * current values of its variables, as PySpark pickles per job) and referred to by id.
 */
import { captureClosure, captureRecordClass } from "../closure/capture.js";
import { createHash } from "node:crypto";
import { recordClasses } from "../serde/record-classes.js";
import { registerCustomCodec, type CustomSerializerSpec } from "../serde/record-serializers.js";
import type { ClassTable, ClosureId, PartitionPlan } from "./plan.js";

/** Plan nodes planned one within another past which the next are planned from a queue (planNode). */
export const MAX_PLANNING_DEPTH = 256;

export class JobPlanner {
  readonly closureBytes = new Map<ClosureId, Uint8Array>();
  private readonly ids = new Map<Function, ClosureId>();
  private classes: ClassTable | undefined;
  private readonly serializers = new Map<string, CustomSerializerSpec>();
  /** How many planNode calls are running, one within another. */
  private depth = 0;
  /** Nodes left to plan, each a stand-in and what plans it (planNode). */
  private readonly deferred: Array<[PartitionPlan, () => PartitionPlan]> = [];

  /**
   * Plans one node with `plan`, which plans the nodes it reads from through planNode too.
   * A lineage thousands deep (chained joins) would nest as many calls: past
   * MAX_PLANNING_DEPTH, a node is planned later, from a queue the outermost call empties
   * before it returns, and a stand-in takes its place in its parent's plan until then.
   */
  planNode(plan: () => PartitionPlan): PartitionPlan {
    if (this.depth >= MAX_PLANNING_DEPTH) {
      const standIn: PartitionPlan = { kind: "empty" };
      this.deferred.push([standIn, plan]);
      return standIn;
    }
    const outermost = this.depth === 0;
    this.depth++;
    try {
      const out = plan();
      if (outermost) for (let next = this.deferred.pop(); next !== undefined; next = this.deferred.pop()) Object.assign(next[0], next[1]());
      return out;
    } finally {
      this.depth--;
      if (outermost) this.deferred.length = 0;
    }
  }

  /**
   * A user's serializer in plans: its functions captured (as any function of the job), named
   * by an id derived from them, and registered in this process. A task meeting it receives
   * it in `serializerTable()`.
   */
  customSerializer(name: string, encode: (record: never) => Uint8Array, decode: (bytes: Uint8Array) => unknown, batchSize: number | undefined): CustomSerializerSpec {
    const e = this.closure(encode, `serializer ${name}'s encode`);
    const d = this.closure(decode, `serializer ${name}'s decode`);
    const id = createHash("sha1").update(`${e}.${d}`).digest("hex").slice(0, 16);
    registerCustomCodec(id, { encode: encode as (record: unknown) => Uint8Array, decode });
    const spec: CustomSerializerSpec = { kind: "custom", id, name, encode: e, decode: d, ...(batchSize === undefined ? {} : { batchSize }) };
    this.serializers.set(id, spec);
    return spec;
  }

  /** The user's serializers the job's plans name. */
  serializerTable(): CustomSerializerSpec[] {
    return [...this.serializers.values()];
  }

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

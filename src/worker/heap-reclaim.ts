/**
 * A full garbage collection between two tasks of a worker, when the heap has grown well past
 * what was live after the last one. A finished task's records are all garbage, but V8 sets
 * the old generation's next limit from the growth it has seen, so a worker running task
 * after task carried the garbage of several (a sort's partition after partition) and its
 * resident memory peaked at several times its live data. Between tasks nothing of the
 * finished task is live, so the collection takes milliseconds and the next task starts from
 * a small heap. A worker keeping much live data (cached partitions, broadcasts) collects only
 * once its heap has doubled since.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Growth that never triggers a collection, whatever was live: small, since tasks that
 * allocate this much run far longer than a collection of a small heap takes. Even a task
 * with little garbage in records leaves large objects (the arrays a combine table outgrew,
 * big frames), which only a full collection frees; at 128 MB they were carried from task to
 * task and were much of a word count's worker peak.
 */
const SLACK_BYTES = 16 * 1024 * 1024;

let collect: (() => void) | undefined;
let liveAfterLast = 0;

/**
 * Collects garbage if the heap has grown past twice its last live size and the slack; call
 * once a task's outcome is delivered. True if it collected.
 */
export function reclaimHeapBetweenTasks(): boolean {
  if (process.memoryUsage().heapUsed <= 2 * liveAfterLast + SLACK_BYTES) return false;
  collect ??= exposedGc();
  collect();
  liveAfterLast = process.memoryUsage().heapUsed;
  return true;
}

/** V8's gc(): global under --expose-gc; otherwise the flag is set now and gc taken from a fresh context (the program's own global stays without it). */
function exposedGc(): () => void {
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === "function") return global;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

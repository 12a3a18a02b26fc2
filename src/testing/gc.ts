/**
 * A full garbage collection from a test (the test runner passes no --expose-gc): for tests of
 * bounded memory and of what is cleaned up once unreachable.
 */
import v8 from "node:v8";
import vm from "node:vm";

export function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/** The heap in use after a full collection. */
export function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

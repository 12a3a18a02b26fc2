// sc.stop() while workers are busy past the shutdown grace (a timer a task left behind spins
// for `busyMs`, 5 s by default, on each of `slots` workers): stop() must resolve and the
// program go on (test/e2e/exit-after-failure.test.ts).
import { SparkContext } from "tspark";

const slots = Number(process.argv[2] ?? 1);
const busyMs = Number(process.argv[3] ?? 5000);
const sc = new SparkContext({ master: `local[${slots}]`, appName: "stop-busy-worker" });
await sc.parallelize(Array.from({ length: slots }, (_, i) => i), slots).foreach(() => {
  setTimeout(() => {
    const end = Date.now() + busyMs;
    while (Date.now() < end); // the worker cannot read its shutdown message meanwhile
  }, 0);
});
console.log(`pids ${sc.statusTracker().getExecutorInfos().map((e) => e.pid).join(",")}`);
await sc.stop();
console.log("after stop");

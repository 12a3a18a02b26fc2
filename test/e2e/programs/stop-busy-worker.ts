// sc.stop() while a worker is busy past the shutdown grace (a timer a task left behind spins
// for 5 s): stop() must resolve and the program go on (test/e2e/exit-after-failure.test.ts).
import { SparkContext } from "tspark";

const sc = new SparkContext({ master: "local[1]", appName: "stop-busy-worker" });
await sc.parallelize([1]).foreach(() => {
  setTimeout(() => {
    const end = Date.now() + 5000;
    while (Date.now() < end); // the worker cannot read its shutdown message meanwhile
  }, 0);
});
console.log(`pids ${sc.statusTracker().getExecutorInfos().map((e) => e.pid).join(",")}`);
await sc.stop();
console.log("after stop");

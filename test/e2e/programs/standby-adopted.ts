import { SparkContext } from "tspark";

// The launcher starts the workers its settings call for before it compiles this program; the
// context adopts them: every task's worker started before the context did.
const sc = new SparkContext({ appName: "standby-adopted" });
const workers = await sc.parallelize([0, 1, 2, 3], 4).map(() => [process.pid, performance.timeOrigin] as [number, number]).collect();
const older = workers.every(([, origin]) => origin < sc.startTime);
console.log(`workers ${sc.workerPids().length} older than the context ${older}`);
console.log(`counted ${await sc.parallelize([1, 2, 3, 4]).count()}`);
await sc.stop();

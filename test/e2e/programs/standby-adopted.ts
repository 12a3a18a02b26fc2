import { SparkContext } from "tspark";

// The launcher starts the workers its settings call for before it compiles this program; the
// context adopts them: every task's worker started before the context did.
const sc = new SparkContext({ appName: "standby-adopted" });
const workers = await sc.parallelize([0, 1, 2, 3], 4).map(() => [performance.timeOrigin, process.env["STANDBY_E2E"]] as [number, string | undefined]).collect();
const older = workers.every(([origin]) => origin < sc.startTime);
console.log(`workers ${sc.workerPids().length} older than the context ${older}`);
// A tspark.executorEnv setting of the launcher's reaches them too.
console.log(`executorEnv ${[...new Set(workers.map(([, env]) => env))].join(",")}`);
console.log(`counted ${await sc.parallelize([1, 2, 3, 4]).count()}`);
await sc.stop();

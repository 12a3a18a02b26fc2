// Workers that cannot start (a node flag node refuses): the job fails clearly, and the
// context does not keep starting workers for the rest of its life (test/e2e/processes-at-start.test.ts).
import { SparkContext } from "tspark";

const sc = new SparkContext({ master: "local[2]", appName: "workers-cannot-start", conf: { "tspark.executor.extraNodeOptions": "--no-such-node-flag" } });
try {
  await sc.parallelize([1, 2]).count();
} catch (err) {
  console.log(`failed: ${(err as Error).message.split("\n")[0]}`);
}
await new Promise((r) => setTimeout(r, 4000)); // what the context does meanwhile is what is measured
try {
  await sc.parallelize([1, 2]).count();
} catch (err) {
  console.log(`again: ${(err as Error).message.split("\n")[0]}`);
}
await sc.stop();
console.log("stopped");

/** Time from `new SparkContext()` to the result of `sc.parallelize([1, 2, 3]).count()`. */
import { SparkContext } from "tspark";

const t0 = performance.now();
const sc = new SparkContext({ appName: "startup" });
const n = await sc.parallelize([1, 2, 3]).count();
const ms = performance.now() - t0;
await sc.stop();
console.log(`RESULT ${JSON.stringify({ result: n, startupMs: ms })}`);

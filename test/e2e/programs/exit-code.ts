// A program that reports failure by its exit code, without throwing.
import { SparkContext } from "tspark";

const sc = new SparkContext({ master: "local[1]" });
const n = await sc.parallelize([1, 2, 3]).count();
await sc.stop();
console.log(`count ${n}`);
process.exitCode = 3;

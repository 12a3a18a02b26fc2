// A stage whose tasks wait until a flag file exists: the test (or, after `releaseAfterMs`,
// the program itself) creates it. Usage: held-stage.ts <flag> [releaseAfterMs]
import { SparkContext } from "tspark";
import { existsSync, writeFileSync } from "node:fs";

const [flag, releaseAfter] = process.argv.slice(2) as [string, string | undefined];
const sc = new SparkContext({ master: "local[2]" });
if (releaseAfter) setTimeout(() => writeFileSync(flag, "go"), Number(releaseAfter));
const n = await sc.range(0, 4, 1, 4).map((x) => {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(flag)) Atomics.wait(nap, 0, 0, 20);
  console.error(`released ${x}`); // a worker's output while the progress bar is drawn
  return x;
}).count();
console.log(`done ${n}`);
await sc.stop();

/** W2 baseline. */
import { forEachLine, report } from "./common.js";

const sums = new Map<string, number>();
forEachLine(process.argv[2]!, (l) => {
  const t = l.indexOf("\t");
  const k = l.slice(0, t);
  sums.set(k, (sums.get(k) ?? 0) + Number(l.slice(t + 1)));
});
let total = 0;
for (const v of sums.values()) total += v;
report({ keys: sums.size, total });

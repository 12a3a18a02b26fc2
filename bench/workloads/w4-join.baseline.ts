/** W4 baseline: hash join against the dimension table in memory. */
import { forEachLine, report } from "./common.js";

const dim = new Map<string, string>();
forEachLine(process.argv[3]!, (l) => {
  const t = l.indexOf("\t");
  dim.set(l.slice(0, t), l.slice(t + 1));
});
let n = 0;
forEachLine(process.argv[2]!, (l) => {
  if (dim.has(l.slice(0, l.indexOf("\t")))) n++;
});
report(n);

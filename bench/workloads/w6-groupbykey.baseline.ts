/** W6 baseline: group into arrays in memory. */
import { forEachLine, report } from "./common.js";

const groups = new Map<string, number[]>();
forEachLine(process.argv[2]!, (l) => {
  const t = l.indexOf("\t");
  const k = l.slice(0, t);
  let g = groups.get(k);
  if (!g) groups.set(k, (g = []));
  g.push(Number(l.slice(t + 1)));
});
let values = 0;
for (const g of groups.values()) values += g.length;
report({ keys: groups.size, values });

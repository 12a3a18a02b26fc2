/**
 * W6 baseline: group the values by key in memory (every value kept, as groupByKey does), as
 * one plain Node process. Shape: 16 MiB pieces of whole lines (common.ts); the key cut at the
 * first tab by a char loop, the value parsed in place (parseNumber); one Map lookup per line
 * finds the key's array to push to (a second only for a new key).
 * A line without a tab is read as the tspark program reads it (l.slice(0, -1), Number(l)).
 */
import { forEachKeyValue, report } from "./common.js";

const groups = new Map<string, number[]>();
forEachKeyValue(process.argv[2]!, (k, v) => {
  const g = groups.get(k);
  if (g === undefined) groups.set(k, [v]);
  else g.push(v);
});
let values = 0;
for (const g of groups.values()) values += g.length;
report({ keys: groups.size, values });

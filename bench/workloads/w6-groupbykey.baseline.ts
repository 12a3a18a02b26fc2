/**
 * W6 baseline: group the values by key in memory (every value kept, as groupByKey does), as
 * one plain Node process. Shape: 16 MiB pieces of whole lines (common.ts); the key cut at the
 * first tab by a char loop, the value parsed in place (parseNumber); one Map lookup per line
 * finds the key's array to push to (a second only for a new key).
 * A line without a tab is read as the tspark program reads it (l.slice(0, -1), Number(l)).
 */
import { forEachChunk, parseNumber, report } from "./common.js";

const groups = new Map<string, number[]>();
forEachChunk(process.argv[2]!, (text) => {
  for (let i = 0, n = text.length; i < n;) {
    let t = i;
    let c;
    while ((c = text.charCodeAt(t)) !== 9 && c !== 10) t++;
    const nl = c === 10 ? t : text.indexOf("\n", t);
    const k = c === 9 ? text.slice(i, t) : text.slice(i, Math.max(i, nl - 1));
    const v = c === 9 ? parseNumber(text, t + 1, nl) : Number(text.slice(i, nl));
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [v]);
    else g.push(v);
    i = nl + 1;
  }
});
let values = 0;
for (const g of groups.values()) values += g.length;
report({ keys: groups.size, values });

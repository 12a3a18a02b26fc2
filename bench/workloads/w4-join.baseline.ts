/**
 * W4 baseline: join the key/value file with the dimension table and count the pairs, as one
 * plain Node process: a hash join. The dimension table's keys go into a Map of how many rows
 * each has (a key on several rows joins several times); then each line of the big file is
 * one lookup of its key, cut at the first tab by a char loop, the rest of the line skipped
 * with indexOf. Lines without a tab are keyed as the tspark program keys them (l.slice(0, -1)).
 */
import { forEachKey, report } from "./common.js";

const dim = new Map<string, number>();
forEachKey(process.argv[3]!, (k) => dim.set(k, (dim.get(k) ?? 0) + 1));
let n = 0;
forEachKey(process.argv[2]!, (k) => {
  n += dim.get(k) ?? 0;
});
report(n);

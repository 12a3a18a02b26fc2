/**
 * W4's own functions in one plain Node process: both files' lines through the program's
 * `split`, then a hash join's count (the dimension table's keys in a Map of how many rows
 * each has). Not a baseline: the engine's cost per core is local[1]'s time against this;
 * what this takes over the baseline is the program's own shape (a pair and two strings a
 * line). The function is w4-join.ts's, word for word.
 */
import { forEachLine, report } from "./common.js";

const split = (l: string) => {
  const t = l.indexOf("\t");
  return [l.slice(0, t), l.slice(t + 1)] as [string, string];
};

const dim = new Map<string, number>();
forEachLine(process.argv[3]!, (line) => {
  const [k] = split(line);
  dim.set(k, (dim.get(k) ?? 0) + 1);
});
let n = 0;
forEachLine(process.argv[2]!, (line) => {
  n += dim.get(split(line)[0]) ?? 0;
});
report(n);

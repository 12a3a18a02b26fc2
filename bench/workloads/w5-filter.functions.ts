/**
 * W5's own functions in one plain Node process: the lines as textFile gives them, through the
 * program's map and filter, counted. Not a baseline: the engine's cost per core is
 * local[1]'s time against this; what this takes over the baseline is the program's own
 * `split(" ")` of every line. The functions are w5-filter.ts's, word for word.
 */
import { forEachLine, report } from "./common.js";

const words = (l: string) => l.split(" ");
const keep = (ws: string[]) => ws.length > 10 && ws[0]!.length < 3;

let n = 0;
forEachLine(process.argv[2]!, (line) => {
  if (keep(words(line))) n++;
});
report(n);

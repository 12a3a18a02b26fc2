/** W1 baseline: single-process word count with a Map. */
import { forEachLine, report } from "./common.js";

const counts = new Map<string, number>();
forEachLine(process.argv[2]!, (l) => {
  for (const w of l.split(" ")) counts.set(w, (counts.get(w) ?? 0) + 1);
});
const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
report(top);

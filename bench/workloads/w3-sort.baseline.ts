/** W3 baseline: read, sort in memory, write. */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { forEachLine, report } from "./common.js";

const rows: Array<[string, string]> = [];
forEachLine(process.argv[2]!, (l) => {
  const t = l.indexOf("\t");
  rows.push([l.slice(0, t), l.slice(t + 1)]);
});
rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
mkdirSync(process.argv[3]!, { recursive: true });
writeFileSync(join(process.argv[3]!, "part-00000"), rows.map(([k, v]) => `${k}\t${v}`).join("\n") + "\n");
report("written");

/**
 * W3 baseline: sort the key/value file by key and write it out, as one plain Node process.
 * Shape: the lines are cut straight from 16 MiB pieces (common.ts) into one array of flat
 * strings and sorted with the default Array.prototype.sort() (no comparator call per
 * comparison), then written in ~1 MiB writeSync calls (a few thousand lines joined at a time:
 * no 100 MB string, no per-line write).
 * Sorting whole lines orders them by key when every line has a tab and no key has a character
 * below "\t" (then "key\t..." against "key2\t..." is decided inside the keys, or by the tab
 * against a longer key's next character, which is greater): the generated keys are "k<digits>".
 * The input must also be ASCII, so that UTF-16 order (the default sort's) is code-point order
 * (tspark's). If any line breaks this, the lines are sorted by key with a comparator instead,
 * each rebuilt as the tspark program writes it (a line without a tab: l.slice(0, -1), "\t", l).
 * Lines with equal keys then come out ordered by value; sortByKey leaves their order open
 * (tspark and Spark give them in whatever order the shuffle brings them).
 */
import { openSync, writeSync, closeSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { forEachChunk, compareCodePoints, report } from "./common.js";

let lines: string[] = [];
let plain = true; // the default sort of whole lines is the order by key
forEachChunk(process.argv[2]!, (text, ascii) => {
  if (!ascii) plain = false;
  for (let i = 0, n = text.length; i < n;) {
    let t = i;
    let c;
    while ((c = text.charCodeAt(t)) !== 9 && c !== 10) {
      if (c < 9) plain = false;
      t++;
    }
    const nl = c === 10 ? t : text.indexOf("\n", t);
    if (c === 10) plain = false;
    lines.push(text.slice(i, nl));
    i = nl + 1;
  }
});

if (plain) lines.sort();
else {
  const rows = lines.map((l) => {
    const t = l.indexOf("\t");
    const k = l.slice(0, t);
    return [k, `${k}\t${l.slice(t + 1)}`] as const;
  });
  rows.sort((a, b) => compareCodePoints(a[0], b[0]));
  lines = rows.map((r) => r[1]);
}

mkdirSync(process.argv[3]!, { recursive: true });
const fd = openSync(join(process.argv[3]!, "part-00000"), "w");
const BATCH = 64 * 1024; // lines per write: ~0.7 MB of these lines
for (let i = 0; i < lines.length; i += BATCH) writeSync(fd, lines.slice(i, i + BATCH).join("\n") + "\n", null, plain ? "latin1" : "utf8");
closeSync(fd);
report("written");

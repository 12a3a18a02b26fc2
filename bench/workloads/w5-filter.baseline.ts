/**
 * W5 baseline: count the lines with more than 10 space-separated words whose first word is
 * shorter than 3 characters (the tspark program's split(" ") test), as one plain Node process.
 * Shape: 16 MiB pieces of whole lines (common.ts) scanned in place, no strings or arrays per
 * line: the first word's length is where the first " " is; only when it is under 3 are the
 * line's spaces counted, stopping at the 10th; the rest of the line is skipped with indexOf.
 */
import { forEachChunk, report } from "./common.js";

let n = 0;
forEachChunk(process.argv[2]!, (text) => {
  for (let i = 0, len = text.length; i < len;) {
    let p = i;
    let c;
    while ((c = text.charCodeAt(p)) !== 32 && c !== 10) p++;
    if (c === 32 && p - i < 3) {
      let spaces = 1;
      while ((c = text.charCodeAt(++p)) !== 10) {
        if (c === 32 && ++spaces === 10) {
          n++;
          break;
        }
      }
    }
    i = c === 10 ? p + 1 : text.indexOf("\n", p) + 1;
  }
});
report(n);

/**
 * W1 baseline: word count, top 10 words, as one plain Node process.
 * Shape: 16 MiB pieces of whole lines (common.ts), scanned char by char for " " and "\n"
 * (the same words as line.split(" "), empty ones included); each word is one Map lookup
 * giving its slot in a counts array (measured a little faster than Map get + set, and than
 * boxing the count in an object); the top 10 (count descending, then word by code point,
 * as takeOrdered's key [-n, w]) is kept by a pass over the map, without sorting it all.
 * Nearly all the time is the Map lookups of 65M freshly cut word strings.
 */
import { forEachChunk, compareCodePoints, report } from "./common.js";

const slot = new Map<string, number>();
const counts: number[] = [];
forEachChunk(process.argv[2]!, (text) => {
  let start = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10) continue;
    const w = text.slice(start, i);
    start = i + 1;
    const j = slot.get(w);
    if (j === undefined) {
      slot.set(w, counts.length);
      counts.push(1);
    } else counts[j]!++;
  }
});

const order = (a: [string, number], b: [string, number]) => b[1] - a[1] || compareCodePoints(a[0], b[0]);
const top: Array<[string, number]> = [];
for (const [w, j] of slot) {
  const e: [string, number] = [w, counts[j]!];
  if (top.length === 10) {
    if (order(e, top[9]!) >= 0) continue;
    top.pop();
  }
  top.push(e);
  top.sort(order);
}
report(top);

/**
 * W1's own functions in one plain Node process: the lines as textFile gives them, through the
 * program's flatMap and map, summed by the program's reduce function in a Map (what
 * reduceByKey does), then the top 10 by its takeOrdered key. Not a baseline: the engine's
 * cost per core is local[1]'s time against this; what this takes over the baseline is the
 * program's own shape (a split array and a pair per word). The functions are
 * w1-wordcount.ts's, word for word.
 */
import { forEachLine, compareCodePoints, report } from "./common.js";

const words = (l: string) => l.split(" ");
const pair = (w: string) => [w, 1] as [string, number];
const add = (a: number, b: number) => a + b;
const order = ([w, n]: [string, number]) => [-n, w] as [number, string];

// Each key's slot in an array of sums: one Map lookup a word (as the baseline).
const slot = new Map<string, number>();
const sums: number[] = [];
forEachLine(process.argv[2]!, (line) => {
  const ws = words(line);
  for (let i = 0; i < ws.length; i++) {
    const p = pair(ws[i]!);
    const j = slot.get(p[0]);
    if (j === undefined) {
      slot.set(p[0], sums.length);
      sums.push(p[1]);
    } else sums[j] = add(sums[j]!, p[1]);
  }
});
// takeOrdered's order: by the key [-n, w], element by element, strings by code point.
const byKey = (a: [number, string], b: [number, string]) => a[0] - b[0] || compareCodePoints(a[1], b[1]);
const keyed = [...slot].map(([w, j]) => {
  const e: [string, number] = [w, sums[j]!];
  return [order(e), e] as const;
});
const top = keyed.sort((a, b) => byKey(a[0], b[0])).slice(0, 10).map((x) => x[1]);
report(top);

/**
 * Built-in per-record operations of the pair API (distinct, joins, cogroup, lookup...).
 * They are engine operators, not user closures: nothing of the engine is shipped as code.
 */
import { mapBatches } from "../batch-stream.js";
import { registerStep, requireFn } from "./step-registry.js";
import { ValueMap, canonicalKey } from "../../util/value-map.js";
import { portableHash } from "../../shuffle/portable-hash.js";

type Pair = [unknown, unknown];

/** x → [x, null] (distinct, subtract, intersection key records by themselves). */
registerStep("pairWithNull", (input) => mapBatches(input, (b) => b.map((x) => [x, null])));

/** [k, v] → [k, [tag, v]]: marks which input of a cogroup a value came from. */
registerStep("tagValues", (input, ctx) => {
  const tag = ctx.args.tag;
  return mapBatches(input, (b) => b.map((r) => [(r as Pair)[0], [tag, (r as Pair)[1]]]));
});

/** Splits a key's tagged values into one array per input. */
export function untag(values: Iterable<unknown>, n: number): unknown[][] {
  const lists: unknown[][] = Array.from({ length: n }, () => []);
  for (const tv of values) {
    const [tag, v] = tv as [number, unknown];
    lists[tag]!.push(v);
  }
  return lists;
}

/** [k, tagged values] → [k, [values of input 0, values of input 1, ...]]. */
registerStep("cogroupDispatch", (input, ctx) => {
  const n = ctx.args.n;
  return mapBatches(input, (b) => b.map((r) => [(r as Pair)[0], untag((r as Pair)[1] as Iterable<unknown>, n)]));
});

export type JoinHow = "inner" | "left" | "right" | "full";

/** A key's join records from its values on each side; `how` says which side may be missing. */
export function joinRecords(k: unknown, vs: unknown[], ws: unknown[], how: JoinHow, out: unknown[]): void {
  const left = vs.length === 0 && (how === "right" || how === "full") ? [null] : vs;
  const right = ws.length === 0 && (how === "left" || how === "full") ? [null] : ws;
  for (const v of left) for (const w of right) out.push([k, [v, w]]);
}

/** [k, [vs, ws]] → [k, v] for each v of a key that `other` lacks (subtractByKey). */
registerStep("subtractDispatch", (input) => mapBatches(input, (b) => {
  const out: unknown[] = [];
  for (const r of b) {
    const [k, [vs, ws]] = r as [unknown, [unknown[], unknown[]]];
    if (ws.length === 0) for (const v of vs) out.push([k, v]);
  }
  return out;
}));

/** [k, [vs, ws]] → k when both sides have it (intersection). */
registerStep("intersectDispatch", (input) => mapBatches(input, (b) => {
  const out: unknown[] = [];
  for (const r of b) {
    const [k, [vs, ws]] = r as [unknown, [unknown[], unknown[]]];
    if (vs.length > 0 && ws.length > 0) out.push(k);
  }
  return out;
}));

/** The values of one key (lookup), by key equality. */
registerStep("lookupKey", (input, ctx) => {
  const key = canonicalKey(ctx.args.key);
  return mapBatches(input, (b) => {
    const out: unknown[] = [];
    for (const r of b) if (canonicalKey((r as Pair)[0]) === key) out.push((r as Pair)[1]);
    return out;
  });
});

/** [position, x] keyed for an even spread over the new partitions (repartition). */
registerStep("roundRobinKey", (input, ctx) => {
  // Start each partition at a different position so small partitions do not all land in 0.
  let pos = portableHash(ctx.partitionIndex);
  return mapBatches(input, (b) => b.map((x) => [pos++, x]));
});

/** reduceByKeyLocally: a partition's records reduced by key; the driver merges the partial maps. */
registerStep("reduceByKeyLocally", (input, ctx) => {
  const f = requireFn<(a: unknown, b: unknown) => unknown>(ctx, "reduceByKeyLocally");
  const m = new ValueMap<unknown, unknown>();
  return mapBatches(input, (b) => {
    for (const r of b) {
      const [k, v] = r as Pair;
      m.set(k, m.has(k) ? f(m.get(k), v) : v);
    }
    return undefined;
  }, { flush: () => [[...m.entries()]] });
});

/**
 * Built-in per-record operations of the pair API (distinct, joins, cogroup, lookup...).
 * They are engine operators, not user closures: nothing of the engine is shipped as code.
 */
import { isAsyncStream } from "../batch-stream.js";
import { registerStep, requireFn, type StepContext, type StepOperator } from "./step-registry.js";
import type { StepOp } from "../../scheduler/step-args.js";
import { ValueMap, canonicalKey } from "../../util/value-map.js";
import { portableHash } from "../../shuffle/portable-hash.js";

/** A function-free batch transform, sync or async like its input. */
function perBatch<Op extends StepOp>(fn: (batch: unknown[], ctx: StepContext<Op>, out: unknown[]) => void): StepOperator<Op> {
  return (input, ctx) => {
    if (isAsyncStream(input)) {
      return (async function* () {
        for await (const b of input) {
          const out: unknown[] = [];
          fn(b, ctx, out);
          if (out.length > 0) yield out;
        }
      })();
    }
    return (function* () {
      for (const b of input) {
        const out: unknown[] = [];
        fn(b, ctx, out);
        if (out.length > 0) yield out;
      }
    })();
  };
}

type Pair = [unknown, unknown];

/** x → [x, null] (distinct, subtract, intersection key records by themselves). */
registerStep("pairWithNull", perBatch((b, _ctx, out) => {
  for (const x of b) out.push([x, null]);
}));

/** [k, v] → [k, [tag, v]]: marks which input of a cogroup a value came from. */
registerStep("tagValues", perBatch((b, ctx, out) => {
  const tag = ctx.args.tag;
  for (const r of b) out.push([(r as Pair)[0], [tag, (r as Pair)[1]]]);
}));

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
registerStep("cogroupDispatch", perBatch((b, ctx, out) => {
  const n = ctx.args.n;
  for (const r of b) out.push([(r as Pair)[0], untag((r as Pair)[1] as Iterable<unknown>, n)]);
}));

export type JoinHow = "inner" | "left" | "right" | "full";

/** A key's join records from its values on each side; `how` says which side may be missing. */
export function joinRecords(k: unknown, vs: unknown[], ws: unknown[], how: JoinHow, out: unknown[]): void {
  const left = vs.length === 0 && (how === "right" || how === "full") ? [null] : vs;
  const right = ws.length === 0 && (how === "left" || how === "full") ? [null] : ws;
  for (const v of left) for (const w of right) out.push([k, [v, w]]);
}

/** [k, [vs, ws]] → [k, v] for each v of a key that `other` lacks (subtractByKey). */
registerStep("subtractDispatch", perBatch((b, _ctx, out) => {
  for (const r of b) {
    const [k, [vs, ws]] = r as [unknown, [unknown[], unknown[]]];
    if (ws.length === 0) for (const v of vs) out.push([k, v]);
  }
}));

/** [k, [vs, ws]] → k when both sides have it (intersection). */
registerStep("intersectDispatch", perBatch((b, _ctx, out) => {
  for (const r of b) {
    const [k, [vs, ws]] = r as [unknown, [unknown[], unknown[]]];
    if (vs.length > 0 && ws.length > 0) out.push(k);
  }
}));

/** The values of one key (lookup), by key equality. */
registerStep("lookupKey", perBatch((b, ctx, out) => {
  const key = canonicalKey(ctx.args.key);
  for (const r of b) if (canonicalKey((r as Pair)[0]) === key) out.push((r as Pair)[1]);
}));

/** [position, x] keyed for an even spread over the new partitions (repartition). */
registerStep("roundRobinKey", (input, ctx) => {
  // Start each partition at a different position so small partitions do not all land in 0.
  let pos = portableHash(ctx.partitionIndex);
  return perBatch((b, _ctx, out) => {
    for (const x of b) out.push([pos++, x]);
  })(input, ctx);
});

/** reduceByKeyLocally: a partition's records reduced by key; the driver merges the partial maps. */
registerStep("reduceByKeyLocally", (input, ctx) => {
  const f = requireFn<(a: unknown, b: unknown) => unknown>(ctx, "reduceByKeyLocally");
  const m = new ValueMap<unknown, unknown>();
  const add = (b: unknown[]) => {
    for (const r of b) {
      const [k, v] = r as Pair;
      m.set(k, m.has(k) ? f(m.get(k), v) : v);
    }
  };
  if (isAsyncStream(input)) {
    return (async function* () {
      for await (const b of input) add(b);
      yield [...m.entries()];
    })();
  }
  return (function* () {
    for (const b of input) add(b);
    yield [...m.entries()];
  })();
});

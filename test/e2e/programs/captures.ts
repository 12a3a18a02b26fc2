import { SparkContext } from "tspark";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { parse } from "acorn";
import { normalize, STOP_WORDS } from "./helpers/text.js";

class Scaler {
  constructor(private readonly factor: number) {}
  apply(x: number): number {
    return x * this.factor;
  }
}
class OffsetScaler extends Scaler {
  constructor(factor: number, readonly offset: number) {
    super(factor);
  }
  override apply(x: number): number {
    return super.apply(x) + this.offset;
  }
}

const sc = new SparkContext({ master: "local[2]" });
const scaler = new OffsetScaler(10, 1);
const lookup = new Map([["a", 1], ["b", 2]]);
const allowed = new Set([1, 3]);
const epoch = new Date(0);
let threshold = 2;
const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
function makeAdder(k: number) {
  return (x: number) => x + k;
}
const addFive = makeAdder(5);

const results: Record<string, unknown> = {};
results.classInstance = await sc.parallelize([1, 2]).map((x) => scaler.apply(x)).collect();
results.mapAndSet = await sc.parallelize(["a", "b", "c"]).map((k) => lookup.get(k) ?? 0).filter((v) => !allowed.has(v)).collect();
results.date = await sc.parallelize([1]).map((x) => epoch.getTime() + x).collect();
results.recursion = await sc.parallelize([10]).map(fib).collect();
results.closureFactory = await sc.parallelize([1]).map(addFive).collect();
results.builtinImports = await sc.parallelize(["x"]).map((s) => [createHash("sha1").update(s).digest("hex").slice(0, 8), path.join("a", s)]).collect();
results.npmImport = await sc.parallelize(["1 + 2"]).map((src) => (parse(src, { ecmaVersion: 2022 }) as unknown as { body: unknown[] }).body.length).collect();
results.relativeTsImport = await sc.parallelize(["The", "Cat!", "and"]).map(normalize).filter((w) => !STOP_WORDS.has(w)).collect();
results.before = await sc.parallelize([1, 2, 3]).filter((x) => x > threshold).collect();
threshold = 0; // a new job captures the variable's current value
results.after = await sc.parallelize([1, 2, 3]).filter((x) => x > threshold).collect();
results.asyncFn = await sc.parallelize([1, 2]).map(async (x) => { await new Promise((r) => setTimeout(r, 1)); return x * 3; }).collect();
console.log(JSON.stringify(results));
await sc.stop();

/**
 * Results of approximate actions (PySpark's BoundedFloat): an estimate with the confidence
 * that the true value lies in [low, high]. Exact (low = high = mean) when every partition
 * finished in time.
 */
import type { StatCounter } from "./stat-counter.js";

export interface BoundedDouble {
  /** The estimate (exact when every partition finished in time). */
  mean: number;
  /** The confidence the interval was computed for, e.g. 0.95. */
  confidence: number;
  /** Lower end of the confidence interval. */
  low: number;
  /** Upper end of the confidence interval. */
  high: number;
}

/** The two-sided standard normal quantile for a confidence level (Acklam's approximation). */
function zFor(confidence: number): number {
  const p = 1 - (1 - confidence) / 2;
  if (p >= 1) return Infinity;
  const a = [-39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472, 2.50662827745924];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [-0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497, 2.93816398269878];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const q = p > 0.97575 ? Math.sqrt(-2 * Math.log(1 - p)) : 0;
  if (p > 0.97575) return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  const r = (p - 0.5) * (p - 0.5);
  const x = p - 0.5;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * x) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Scales what the finished partitions saw to the whole RDD, assuming unfinished partitions
 * resemble finished ones; the interval widens with the share of partitions not yet seen.
 */
export function boundedEstimate(what: "count" | "sum" | "mean", done: StatCounter, finished: number, total: number, confidence: number): BoundedDouble {
  const exact = finished === total;
  const n = done.count();
  const value = what === "count" ? n : what === "sum" ? done.sum() : done.mean();
  if (exact) return { mean: value, confidence: 1, low: value, high: value };
  if (finished === 0) return { mean: 0, confidence: 0, low: -Infinity, high: Infinity };
  const scale = total / finished;
  const unseen = 1 - finished / total;
  const z = zFor(confidence);
  const sd = done.count() > 1 ? done.sampleStdev() : 0;
  if (what === "count") {
    const est = n * scale;
    const half = z * Math.sqrt(est * unseen);
    return { mean: est, confidence, low: Math.max(n, est - half), high: est + half };
  }
  if (what === "sum") {
    const est = done.sum() * scale;
    const half = z * Math.sqrt(n * scale * unseen) * (Math.abs(done.mean()) + sd);
    return { mean: est, confidence, low: est - half, high: est + half };
  }
  const half = z * (sd / Math.sqrt(Math.max(n, 1))) * Math.sqrt(unseen);
  return { mean: value, confidence, low: value - half, high: value + half };
}

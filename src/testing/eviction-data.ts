/** Records for the tests that fill a memory store: text that neither engine stores smaller than it is. */
import type { SparkContext } from "../api/context.js";
import type { RDD } from "../api/rdd.js";

/** 40 letters of x, pseudo-random: Spark kept blocks of one letter repeated at a fifth of their size, too little to evict anything. */
export function letters(x: number): string {
  let h = Math.imul(x, 2654435761) >>> 0;
  let s = "";
  for (let i = 0; i < 40; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    s += String.fromCharCode(97 + ((h >>> 16) % 26));
  }
  return s;
}

/**
 * A cached RDD of blocks each a fraction of a worker's memory store (4 MB on tspark's engine,
 * a few MB on Spark in the suites that set it so), several times all of it: once counted,
 * older blocks of other RDDs have been evicted.
 */
export function evictingFiller(sc: SparkContext): RDD<string> {
  return sc.range(0, 240_000, 1, 16).map((x) => `filler-${x}-${letters(x)}`).cache();
}

/**
 * The Spark settings of the suites whose eviction tests evict (contractContext's Spark-only
 * ones): storage memory a sliver of the executors' heap, as tspark.storage.memory is on
 * tspark's engine; Spark's account of the blocks (getRDDStorageInfo) written at every change,
 * not at most every 100 ms.
 */
export const EVICTING_SPARK_CONF = { "spark.memory.fraction": "0.004", "spark.ui.liveUpdate.period": "0" } as const;

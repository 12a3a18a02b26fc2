/**
 * How values of one key combine (PySpark's Aggregator): reduceByKey, aggregateByKey,
 * foldByKey and groupByKey are all combineByKey with different functions.
 */
export interface Aggregator {
  createCombiner: (v: unknown) => unknown;
  mergeValue: (c: unknown, v: unknown) => unknown;
  mergeCombiners: (a: unknown, b: unknown) => unknown;
  /** True when a combiner grows with every value (group-by lists): size is tracked per value. */
  growsWithValues: boolean;
  /**
   * True when a value is its own combiner (createCombiner is the identity) and merging
   * order does not matter (reduceByKey, distinct): the map side may then skip combining.
   */
  mapSideCombineOptional?: boolean;
  /**
   * For combiners that live partly on disk (a spilled group): what to write in a spill run
   * instead of the combiner, and how to get the combiner back when the run is merged.
   */
  toSpill?: (c: unknown) => unknown;
  fromSpill?: (c: unknown) => unknown;
}

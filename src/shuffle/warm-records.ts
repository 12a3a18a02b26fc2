/**
 * Reading a batch of records ahead of the steps that use them. A sorted partition gives its
 * records in key order, while they lie in the heap in the order they were decoded: each
 * record, its key and its value is then a cache miss. In a step that does real work per
 * record (a user's map building a line) the misses come one after the other, as the CPU's
 * window of instructions does not reach the next record's loads. A tight loop that only
 * reads each record's fields has the loads of many records in flight at once, and leaves
 * the batch in the cache for the steps after it (W3's reduce side: README, "Where the rest
 * goes").
 */

/** What the loop read, kept so that the compiler cannot drop the loads as unused. */
let lengths = 0;

/** Reads each [key, value] record's two fields (a string's length is in its first cache line). */
export function warmRecords(batch: readonly unknown[]): void {
  let n = 0;
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i];
    if (!Array.isArray(r)) continue;
    const k: unknown = r[0];
    const v: unknown = r[1];
    if (typeof k === "string") n += k.length;
    if (typeof v === "string") n += v.length;
  }
  lengths += n;
}

/** For tests: the lengths read so far. */
export function warmedLengths(): number {
  return lengths;
}

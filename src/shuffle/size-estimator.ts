/**
 * Estimates how much heap a buffer of records takes, so spilling starts before a worker
 * exceeds `tspark.worker.memory`. Measuring every record would cost more than the work,
 * so a tracker samples records at exponentially spaced counts (as Spark's SizeTracker)
 * and extrapolates from the average.
 */

/** A rough heap footprint of a value in V8, in bytes (object headers, pointers, string bytes). */
export function roughHeapSize(v: unknown, depth = 0): number {
  switch (typeof v) {
    case "number":
      return 8;
    case "boolean":
    case "undefined":
      return 4;
    case "string":
      return 16 + v.length * 2;
    case "bigint":
      return 24;
    case "symbol":
    case "function":
      return 32;
  }
  if (v === null) return 4;
  if (depth > 4) return 64;
  if (Array.isArray(v)) {
    let s = 32 + 8 * v.length;
    const step = v.length > 32 ? Math.floor(v.length / 16) : 1;
    let sampled = 0;
    let sum = 0;
    for (let i = 0; i < v.length; i += step) {
      sum += roughHeapSize(v[i], depth + 1);
      sampled++;
    }
    if (sampled > 0) s += (sum / sampled) * v.length;
    return s;
  }
  if (ArrayBuffer.isView(v)) return 64 + v.byteLength;
  if (v instanceof Map || v instanceof Set) {
    let s = 64;
    let n = 0;
    for (const e of v) {
      s += roughHeapSize(e, depth + 1) + 16;
      if (++n >= 16) {
        s = (s / n) * v.size;
        break;
      }
    }
    return s;
  }
  let s = 24;
  for (const k in v as Record<string, unknown>) s += 8 + roughHeapSize((v as Record<string, unknown>)[k], depth + 1);
  return s;
}

/** Tracks the estimated size of a growing collection from sampled entries. */
export class SizeTracker {
  private count = 0;
  private nextSample = 1;
  private avg = 0;
  private samples = 0;

  /** Call for every entry added; samples some of them. */
  add(entry: unknown): void {
    this.count++;
    if (this.count >= this.nextSample) {
      const s = roughHeapSize(entry);
      this.samples++;
      this.avg += (s - this.avg) / this.samples;
      // Sample often at first, then every ~10% growth.
      this.nextSample = Math.ceil(this.count * 1.1) + 1;
    }
  }

  /** Forgets `entries` that left the collection (e.g. were serialized). */
  release(entries: number): void {
    this.count = Math.max(0, this.count - entries);
  }

  get estimatedBytes(): number {
    return this.count * this.avg;
  }

  /** The sampled average size of an entry, in bytes. */
  get averageBytes(): number {
    return this.avg;
  }

  get entries(): number {
    return this.count;
  }

  reset(): void {
    this.count = 0;
    this.nextSample = 1;
  }
}

/** Estimated bytes of one frame in a spill run. */
const SPILL_FRAME_BYTES = 32 * 1024;

/**
 * Records per frame of a spill run. Merging runs holds one decoded frame per run, and the
 * number of runs grows with the data, so frames are kept small: W6 (groupByKey, 6 MB of
 * worker memory) with 4096-record frames peaked at 37 MB of live heap on 25 MB of input
 * and 64 MB on 50 MB (worker RSS 285 -> 390 MB); with ~32 KB frames 24 and 28 MB (RSS
 * 240 and 270 MB).
 */
export function spillFrameRecords(tracker: SizeTracker): number {
  const avg = tracker.averageBytes;
  return avg > 0 ? Math.max(16, Math.min(4096, Math.floor(SPILL_FRAME_BYTES / avg))) : 4096;
}

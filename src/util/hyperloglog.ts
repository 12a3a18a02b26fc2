/**
 * HyperLogLog for countApproxDistinct: each partition fills registers from a 64-bit hash of
 * every value's canonical key (equal values hash alike, in every process); the driver
 * merges registers by maximum and estimates the cardinality.
 */
import { canonicalKey } from "./value-map.js";
import { TsparkError } from "../errors.js";

/** Precision (log2 of the register count) for a target relative standard deviation. */
export function precisionFor(relativeSD: number): number {
  if (!(relativeSD >= 0.000017)) throw new TsparkError("INVALID_ARGUMENT", `relativeSD should be greater than 0.000017, got ${relativeSD}`);
  return Math.min(18, Math.max(4, Math.ceil(2 * Math.log2(1.054 / relativeSD))));
}

/** Murmur3-style 32-bit hash of a string with a seed. */
function hash32(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(readonly p: number, registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(1 << p);
  }

  add(value: unknown): void {
    const key = typeof value === "string" ? `s${value}` : canonicalKey(value);
    const hi = hash32(key, 0x9747b28c);
    const lo = hash32(key, 0x5bd1e995);
    const idx = hi >>> (32 - this.p);
    // Rank: position of the first 1 bit in the remaining bits of hi, then lo (up to 64 - p).
    const rest = (hi << this.p) >>> 0;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - this.p + Math.clz32(lo) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  merge(other: Uint8Array): void {
    for (let i = 0; i < this.registers.length; i++) if (other[i]! > this.registers[i]!) this.registers[i] = other[i]!;
  }

  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const e = (alpha * m * m) / sum;
    // Small cardinalities: linear counting over empty registers is more accurate.
    if (e <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(e);
  }
}

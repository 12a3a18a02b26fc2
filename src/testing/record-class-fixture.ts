/**
 * A class in a module of its own, for the record-class contract suite (src/api/record-classes.test.ts):
 * closures reach it through an import, as a user's program reaches its own modules' classes.
 */
export class Interval {
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {}

  get width(): number {
    return this.hi - this.lo;
  }

  union(other: Interval): Interval {
    return new Interval(Math.min(this.lo, other.lo), Math.max(this.hi, other.hi));
  }
}

// A module of the user's with a class whose instances travel as records (record-classes.ts).
export class Segment {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  get length(): number {
    return Math.abs(this.to - this.from);
  }

  join(other: Segment): Segment {
    return new Segment(Math.min(this.from, other.from), Math.max(this.to, other.to));
  }
}

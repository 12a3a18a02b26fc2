/**
 * Records keep their class across every boundary (issue 16): a shuffle, collect, take, top,
 * a disk cache, a broadcast value, an object file, an accumulator, a fold's zero value; for
 * a class defined in the program, one in a module of its own and one of an npm package.
 * A record that cannot be serialized fails the job once, with its path and the line that
 * made the RDD. Runs on every engine (src/testing/contract-context.ts).
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as acorn from "acorn";
import { StorageLevel, TsparkError, type AccumulatorParam } from "../index.js";
import { contractContext } from "../testing/contract-context.js";
import { Interval } from "../testing/record-class-fixture.js";

const { sc } = contractContext("record-classes-test");
const dir = mkdtempSync(join(tmpdir(), "tspark-record-classes-"));
after(async () => {
  await sc.stop();
  rmSync(dir, { recursive: true, force: true });
});

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
  get sum(): number {
    return this.x + this.y;
  }
}

class Labelled extends Point {
  constructor(
    x: number,
    y: number,
    public label: string,
  ) {
    super(x, y);
  }
  describe(): string {
    return `${this.label}(${this.x},${this.y})`;
  }
}

// acorn's types declare Position as an interface only: the class, as a value.
const { Position } = acorn as unknown as { Position: new (line: number, column: number) => AcornPosition };
interface AcornPosition {
  line: number;
  column: number;
  offset(n: number): AcornPosition;
}

const points = () => sc.parallelize([1, 2, 3, 4], 2).map((i) => new Point(i, i));

test("collect, take, first and top return instances of the user's class", async () => {
  const all = await points().collect();
  assert.ok(all.every((p) => p instanceof Point));
  assert.equal(all[2]!.norm(), Math.hypot(3, 3));
  assert.equal(all[0]!.sum, 2);
  assert.ok((await points().take(1))[0] instanceof Point);
  assert.ok((await points().first()) instanceof Point);
  const top = await points().top(2, (p) => p.x);
  assert.deepEqual(top.map((p) => p.x), [4, 3]);
  assert.ok(top.every((p) => p instanceof Point));
});

test("instances cross a shuffle: groupByKey, reduceByKey, sortBy, join", async () => {
  const grouped = await points()
    .keyBy((p) => p.x % 2)
    .groupByKey()
    .mapValues((ps) => [...ps].map((p) => p.norm()).sort((a, b) => a - b))
    .collect();
  assert.deepEqual(new Map(grouped), new Map([[0, [Math.hypot(2, 2), Math.hypot(4, 4)]], [1, [Math.hypot(1, 1), Math.hypot(3, 3)]]]));
  const reduced = await points()
    .keyBy((p) => p.x % 2)
    .reduceByKey((a, b) => new Point(a.x + b.x, a.y + b.y))
    .collect();
  assert.ok(reduced.every(([, p]) => p instanceof Point));
  assert.deepEqual(new Map(reduced.map(([k, p]) => [k, p.sum])), new Map([[0, 12], [1, 8]]));
  const sorted = await points().sortBy((p) => -p.x, true, 2).collect();
  assert.deepEqual(sorted.map((p) => p.norm()), [4, 3, 2, 1].map((i) => Math.hypot(i, i)));
  const labels = sc.parallelize([[1, new Labelled(1, 0, "a")], [2, new Labelled(2, 0, "b")]] as Array<[number, Labelled]>, 2);
  const joined = await points().keyBy((p) => p.x).join(labels).mapValues(([p, l]) => `${p.norm()} ${l.describe()}`).collect();
  assert.deepEqual(joined.sort(), [[1, `${Math.SQRT2} a(1,0)`], [2, `${Math.hypot(2, 2)} b(2,0)`]]);
});

test("a disk cache keeps instances: DISK_ONLY and MEMORY_AND_DISK", async () => {
  for (const level of [StorageLevel.DISK_ONLY, StorageLevel.MEMORY_AND_DISK]) {
    const cached = points().persist(level);
    assert.deepEqual(await cached.map((p) => p.norm()).collect(), [1, 2, 3, 4].map((i) => Math.hypot(i, i)));
    assert.deepEqual(await cached.map((p) => p.sum).collect(), [2, 4, 6, 8], "read from the cache");
    cached.unpersist();
  }
});

test("a broadcast value, a fold's zero value and parallelized data made on the driver keep their class", async () => {
  const origin = sc.broadcast(new Labelled(3, 4, "origin"));
  assert.deepEqual(await sc.parallelize([1, 2], 2).map(() => `${origin.value.describe()} ${origin.value.norm()}`).collect(), ["origin(3,4) 5", "origin(3,4) 5"]);
  const total = await points().fold(new Point(0, 0), (a, b) => new Point(a.x + b.x, a.y + b.y));
  assert.ok(total instanceof Point);
  assert.equal(total.sum, 20);
  const made = await sc.parallelize([new Point(6, 8), new Labelled(5, 12, "p")], 2).map((p) => p.norm()).collect();
  assert.deepEqual(made, [10, 13]);
});

test("saveAsObjectFile and objectFile keep instances", async () => {
  const out = join(dir, "objects");
  await points().saveAsObjectFile(out);
  const back = await sc.objectFile<Point>(out).collect();
  assert.ok(back.every((p) => p instanceof Point));
  assert.deepEqual(back.map((p) => p.norm()), [1, 2, 3, 4].map((i) => Math.hypot(i, i)));
  assert.deepEqual(await sc.objectFile<Point>(out).map((p) => p.sum).collect(), [2, 4, 6, 8]);
});

test("an accumulator's value keeps its class", async () => {
  const param: AccumulatorParam<Interval> = { zero: () => new Interval(Infinity, -Infinity), addInPlace: (a, b) => a.union(b) };
  const span = sc.accumulator(new Interval(Infinity, -Infinity), param);
  await sc.parallelize([5, 1, 9, 3], 2).foreach((x) => span.add(new Interval(x, x)));
  assert.ok(span.value instanceof Interval);
  assert.equal(span.value.width, 8);
});

test("a class of the program's own module and of an npm package keep their class", async () => {
  const spans = await sc
    .parallelize([1, 2, 3, 4], 2)
    .map((i) => [i % 2, new Interval(i, i + 1)] as [number, Interval])
    .reduceByKey((a, b) => a.union(b))
    .collect();
  assert.ok(spans.every(([, s]) => s instanceof Interval));
  assert.deepEqual(new Map(spans.map(([k, s]) => [k, s.width])), new Map([[0, 3], [1, 3]]));
  const positions = await sc
    .parallelize([1, 2, 3], 2)
    .map((i) => [i % 2, new Position(i, i * 10)] as [number, AcornPosition])
    .groupByKey()
    .mapValues((ps) => [...ps].map((p) => p.offset(1).column).sort((a, b) => a - b))
    .collect();
  assert.deepEqual(new Map(positions), new Map([[0, [21]], [1, [11, 31]]]));
  const collected = await sc.parallelize([1], 1).map((i) => new Position(i, 0)).collect();
  assert.ok(collected[0] instanceof Position);
});

test("a record that cannot be serialized fails the job with its path and the RDD's line", async () => {
  const err = await sc
    .parallelize([1, 2], 2)
    .map((i) => ({ id: i, cb: () => i }))
    .collect()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(err instanceof TsparkError, String(err));
  assert.match(err.message, /cannot serialize a function \(\(\) => i\) at .*\.cb/);
  assert.equal(err.code, "UNSERIALIZABLE");
  // The line that made the RDD (tspark's engine) or the action's (Spark's job name).
  assert.match(err.message, /record-classes\.test\.[jt]s:\d+/);
});

test("an unserializable record fails its job at the first failure, without retries", async () => {
  const marks = join(dir, "attempts");
  rmSync(marks, { recursive: true, force: true });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(marks);
  const err = await sc
    .parallelize([1], 1)
    .map((i) => {
      // A retry (Spark's, were the failure taken for a transient one) would take long and be counted.
      const retry = readdirSync(marks).length > 0;
      if (retry) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
      writeFileSync(join(marks, `${process.pid}-${Date.now()}-${Math.random()}`), "");
      return [i, Symbol("s")];
    })
    .keyBy((r) => r[0])
    .groupByKey()
    .count()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(err instanceof TsparkError && err.code === "UNSERIALIZABLE", String(err));
  assert.match(err.message, /a symbol \(Symbol\(s\)\) at records\[0\]\[1\]\[1\]/);
  assert.equal(readdirSync(marks).length, 1, "one attempt");
});

test("an instance of a class no process can name fails with advice", async () => {
  const err = await sc
    .parallelize([1], 1)
    .map((i) => {
      class Hidden {
        v = i;
      }
      return new Hidden();
    })
    .collect()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(err instanceof TsparkError, String(err));
  assert.match(err.message, /an instance of class Hidden, which tspark cannot locate/);
  assert.match(err.message, /top level of your program/);
});

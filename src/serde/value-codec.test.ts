import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { cloneValue, deserializeValue, findUnserializable, serializeValue } from "./value-codec.js";
import { registerRecordClass } from "./record-classes.js";
import { TsparkError } from "../errors.js";

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
class Point3 extends Point {
  constructor(
    x: number,
    y: number,
    public z: number,
  ) {
    super(x, y);
  }
}
class Stack extends Array<number> {
  top(): number | undefined {
    return this[this.length - 1];
  }
}
class Registry extends Map<string, Point> {
  names(): string[] {
    return [...this.keys()];
  }
}
class AppError extends Error {
  kind(): string {
    return "app";
  }
}
class Node1 {
  next: Node1 | undefined;
  constructor(public label: string) {}
}
registerRecordClass("test:Point", Point);
registerRecordClass("test:Point3", Point3);
registerRecordClass("test:Stack", Stack);
registerRecordClass("test:Registry", Registry);
registerRecordClass("test:AppError", AppError);
registerRecordClass("test:Node1", Node1);

function sparse(): unknown[] {
  const a: unknown[] = [1];
  a[2] = 3;
  return a;
}

test("values without class instances are written exactly as V8 writes them", () => {
  const v = [["a", 1], { b: new Map([[1, new Set([2])]]), d: new Date(5), n: -0, u: undefined }, 3n, Buffer.from("x"), sparse()];
  assert.deepEqual(serializeValue(v), v8.serialize(v));
  assert.deepEqual(deserializeValue(serializeValue(v)), v8.deserialize(v8.serialize(v)));
});

test("class instances come back as instances of their class, with methods and getters", () => {
  const back = cloneValue([new Point(3, 4), { p: new Point3(1, 2, 3) }] as const);
  assert.ok(back[0] instanceof Point);
  assert.equal(back[0].norm(), 5);
  assert.equal(back[0].sum, 7);
  assert.ok(back[1].p instanceof Point3);
  assert.ok(back[1].p instanceof Point);
  assert.equal(back[1].p.z, 3);
  assert.deepEqual(Object.keys(back[1].p), ["x", "y", "z"]);
});

test("shared and cyclic references survive, instances included", () => {
  const p = new Point(1, 1);
  const a = new Node1("a");
  const b = new Node1("b");
  a.next = b;
  b.next = a;
  const back = cloneValue({ first: p, again: p, ring: a, inMap: new Map([["p", p]]) });
  assert.equal(back.first, back.again);
  assert.equal(back.inMap.get("p"), back.first);
  assert.ok(back.ring instanceof Node1);
  assert.equal(back.ring.next!.next, back.ring);
});

test("classes built on Array, Map and Error, and objects without a prototype, keep their prototype", () => {
  const s = new Stack();
  s.push(1, 2);
  const r = new Registry([["o", new Point(0, 1)]]);
  const e = new AppError("boom");
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
  const [s2, r2, e2, bare2] = cloneValue([s, r, e, bare] as const);
  assert.ok(s2 instanceof Stack);
  assert.equal(s2.top(), 2);
  assert.ok(r2 instanceof Registry);
  assert.deepEqual(r2.names(), ["o"]);
  assert.ok(r2.get("o") instanceof Point);
  assert.ok(e2 instanceof AppError);
  assert.equal(e2.kind(), "app");
  assert.equal(e2.message, "boom");
  assert.equal(Object.getPrototypeOf(bare2), null);
  assert.equal(bare2.k, 1);
});

test("a value nested too deeply for V8's serializer fails with advice", () => {
  let deep: unknown = null;
  for (let i = 0; i < 200_000; i++) deep = { next: deep };
  assert.throws(() => serializeValue(deep, "a record"), (e: unknown) => e instanceof TsparkError && e.code === "UNSERIALIZABLE" && /a record: it nests objects too deeply/.test(e.message));
});

test("a function inside a value fails with its path", () => {
  assert.throws(
    () => serializeValue([1, { cb: () => 1 }], "a record"),
    (e: unknown) => e instanceof TsparkError && e.code === "UNSERIALIZABLE" && /a function \(\(\) => 1\) at a record\[1\]\.cb/.test(e.message),
  );
  assert.deepEqual(findUnserializable({ m: new Map([["k", Symbol("s")]]) })?.path, '.m.get("k")');
  assert.match(findUnserializable([new WeakMap()])!.desc, /WeakMap/);
});

test("an instance of a class no process can name fails with its path and advice", () => {
  class Local {
    v = 1;
  }
  assert.throws(
    () => serializeValue({ item: new Local() }, "a record"),
    (e: unknown) => e instanceof TsparkError && e.code === "UNSERIALIZABLE" && /class Local, which tspark cannot locate at a record\.item/.test(e.message) && /top level/.test(e.message),
  );
});

test("a setter of the class does not run when an instance is restored", () => {
  class Guarded {
    private _v = 0;
    set v(x: number) {
      throw new Error(`setter ran with ${x}`);
    }
    get v(): number {
      return this._v;
    }
  }
  registerRecordClass("test:Guarded", Guarded);
  const g = new Guarded();
  Object.defineProperty(g, "v", { value: 7, enumerable: true, writable: true, configurable: true });
  const back = cloneValue(g);
  assert.ok(back instanceof Guarded);
  assert.equal(back.v, 7);
});

test("a deep chain of instances and instances among sparse elements and Map keys come back in place", () => {
  let head: Node1 | undefined;
  for (let i = 0; i < 500; i++) {
    const n = new Node1(String(i));
    n.next = head;
    head = n;
  }
  let back = cloneValue(head);
  let count = 0;
  for (; back; back = back.next) {
    assert.ok(back instanceof Node1);
    count++;
  }
  assert.equal(count, 500);
  const sparse: unknown[] = [];
  sparse[3] = new Point(1, 2);
  sparse[7] = { inner: [new Point(3, 4)] };
  const key = new Point(5, 6);
  const [s2, m2] = cloneValue([sparse, new Map([[key, "k"]])] as const);
  assert.equal(Object.keys(s2).length, 2);
  assert.ok(s2[3] instanceof Point);
  assert.equal(((s2[7] as { inner: Point[] }).inner[0] as Point).norm(), 5);
  assert.ok([...m2.keys()][0] instanceof Point);
});

/**
 * Value equality for record keys, as Python compares dict keys: tuples/arrays, dates and
 * plain objects are equal when their contents are. A JS Map compares objects by identity,
 * so keys that are objects are indexed by a canonical string encoding of their content.
 */

/** Canonical encoding of a value's content; equal values (by tspark's key equality) encode alike. */
export function canonicalKey(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "0" : String(v);
    case "bigint":
      // Integral numbers and bigints of equal value are the same key (1 == 1n), as in Python.
      return Number.isSafeInteger(Number(v)) ? String(Number(v)) : `${v}n`;
    case "boolean":
      return v ? "true" : "false";
    case "undefined":
      return "undefined";
    case "symbol":
      return `Symbol(${Symbol.keyFor(v) ?? v.description ?? ""})`;
    case "function":
      return `fn:${v.name}`;
  }
  if (v === null) return "null";
  if (Array.isArray(v)) return "[" + v.map(canonicalKey).join(",") + "]";
  if (v instanceof Date) return `Date(${v.getTime()})`;
  if (v instanceof Uint8Array) return `Bytes(${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")})`;
  if (v instanceof Map) return "Map{" + [...v].map(([k, x]) => canonicalKey(k) + ":" + canonicalKey(x)).sort().join(",") + "}";
  if (v instanceof Set) return "Set{" + [...v].map(canonicalKey).sort().join(",") + "}";
  const o = v as Record<string, unknown>;
  return "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ":" + canonicalKey(o[k])).join(",") + "}";
}

/** Keys a native Map already compares by value (SameValueZero: 0 and -0, NaN alike). */
export function isNativeKey(k: unknown): boolean {
  return k === null || (typeof k !== "object" && typeof k !== "bigint");
}

/** A Map keyed by value equality. Primitive keys take the fast native path. */
export class ValueMap<K, V> {
  private readonly primitives = new Map<unknown, V>();
  private readonly objects = new Map<string, [K, V]>();

  private static isPrimitive(k: unknown): boolean {
    return isNativeKey(k);
  }

  get(key: K): V | undefined {
    if (ValueMap.isPrimitive(key)) return this.primitives.get(key);
    return this.objects.get(canonicalKey(key))?.[1];
  }

  set(key: K, value: V): this {
    if (ValueMap.isPrimitive(key)) this.primitives.set(key, value);
    else this.objects.set(canonicalKey(key), [key, value]);
    return this;
  }

  has(key: K): boolean {
    return ValueMap.isPrimitive(key) ? this.primitives.has(key) : this.objects.has(canonicalKey(key));
  }

  get size(): number {
    return this.primitives.size + this.objects.size;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const e of this.primitives) yield e as [K, V];
    for (const e of this.objects.values()) yield e;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

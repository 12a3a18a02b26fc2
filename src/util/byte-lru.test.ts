import test from "node:test";
import assert from "node:assert/strict";
import { ByteLru } from "./byte-lru.js";

test("evicts the least recently used keys until the total fits, never the ones kept", () => {
  const lru = new ByteLru<string>(10);
  lru.touch("a", 4);
  lru.touch("b", 4);
  lru.touch("c", 4);
  lru.touch("a", 999); // used again: most recent, size unchanged
  assert.equal(lru.bytes, 12);
  assert.deepEqual(lru.evict(new Set(["b"])), ["c"]);
  assert.equal(lru.bytes, 8);
  assert.deepEqual([lru.has("a"), lru.has("b"), lru.has("c")], [true, true, false]);
  lru.delete("a");
  assert.equal(lru.bytes, 4);
  assert.deepEqual(lru.evict(new Set()), []);
});

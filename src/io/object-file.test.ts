/**
 * Object files: the exact byte layout (golden bytes), round trips of rich values across
 * many frames, and corruption reported with the file and the offset.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";
import { ObjectPartWriter, readObjectFile, OBJECT_FILE_MAGIC } from "./object-file.js";
import { TsparkError } from "../errors.js";

const dir = mkdtempSync(join(tmpdir(), "tspark-obj-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const path = () => join(dir, `o${n++}`);
const readAll = (p: string) => [...readObjectFile(p)].flat();
const corrupt = (re: RegExp) => (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT" && re.test(e.message);

// A file written by Node 20 (V8 serializer version 15): magic, then two frames,
// [1, "a", null, { k: [true] }] and [Map { 1 => 2n }, new Date(0)].
const GOLDEN =
  "5453504b4f424a31" + // "TSPKOBJ1"
  "19000000" + "ff0f41044902220161306f22016b4101542400017b01240004" +
  "1f000000" + "ff0f41023b49025a1002000000000000003a02440000000000000000240002";

test("golden bytes: the layout is magic, then [u32 LE length][v8 batch] frames", () => {
  const p = path();
  writeFileSync(p, Buffer.from(GOLDEN, "hex"));
  const batches = [...readObjectFile(p)];
  assert.deepEqual(batches, [
    [1, "a", null, { k: [true] }],
    [new Map([[1, 2n]]), new Date(0)],
  ]);
  // Writing the same batches gives the same framing (the v8 bytes are V8's to define).
  const q = path();
  const w = new ObjectPartWriter(q);
  w.write(batches[0]!);
  w.write(batches[1]!);
  w.close();
  const bytes = readFileSync(q);
  assert.deepEqual(bytes.subarray(0, 8), OBJECT_FILE_MAGIC);
  const len = bytes.readUInt32LE(8);
  assert.equal(bytes.readUInt32LE(12 + len) + 12 + len + 4, bytes.length, "two frames exactly fill the file");
  assert.deepEqual([...readObjectFile(q)], batches);
});

test("round trip of rich values, across many frames and large records", () => {
  const p = path();
  const w = new ObjectPartWriter(p);
  const cyclic: { self?: unknown; name: string } = { name: "loop" };
  cyclic.self = cyclic;
  const rich = [1, -0, NaN, "two", { three: [3n] }, new Map([[4, new Date(4)]]), new Set(["s"]), null, undefined, Uint8Array.from([1, 2]), cyclic, [[["deep"]]]];
  w.write(rich);
  const many = Array.from({ length: 5000 }, (_, i) => ({ i, s: `r${i}` }));
  w.write(many);
  w.write([]);
  const big = Array.from({ length: 6 }, (_, i) => "x".repeat(3 * 1024 * 1024) + i); // frames are split to stay small
  w.write(big);
  w.close();
  w.close(); // idempotent
  const batches = [...readObjectFile(p)];
  assert.ok(batches.length > 3, `${batches.length} frames`);
  const all = batches.flat();
  assert.equal(all.length, rich.length + many.length + big.length);
  assert.deepEqual(all.slice(0, 10), rich.slice(0, 10));
  const back = all[10] as { self: unknown; name: string };
  assert.equal(back.self, back, "cycles survive");
  assert.deepEqual(all.slice(rich.length, rich.length + many.length), many);
  assert.deepEqual(all.slice(rich.length + many.length), big);
  assert.throws(() => w.write([1]), corrupt(/write after close/));
});

test("an empty part holds only the magic and reads as no records", () => {
  const p = path();
  new ObjectPartWriter(p).close();
  assert.deepEqual(readFileSync(p), OBJECT_FILE_MAGIC);
  assert.deepEqual(readAll(p), []);
});

test("records that cannot be stored are a clear error", () => {
  const w = new ObjectPartWriter(path());
  assert.throws(() => w.write([() => 1]), (e: unknown) => e instanceof TsparkError && e.code === "UNSERIALIZABLE" && /cannot serialize a function \(\(\) => 1\) at saveAsObjectFile's records\[0\]/.test(e.message));
  w.close();
});

test("corrupt and truncated files are errors naming the file and the offset", () => {
  const p = path();
  const w = new ObjectPartWriter(p);
  w.write(["first frame"]);
  w.write(["second frame", 2]);
  w.close();
  const good = readFileSync(p);
  const firstLen = good.readUInt32LE(8);
  const second = 8 + 4 + firstLen;
  const withBytes = (b: Uint8Array) => {
    const q = path();
    writeFileSync(q, b);
    return q;
  };
  // Cut anywhere after the magic except at a frame boundary: truncated at the frame start.
  for (let cut = 9; cut < good.length; cut++) {
    if (cut === second) continue;
    const q = withBytes(good.subarray(0, cut));
    const at = cut < second ? 8 : second;
    assert.throws(() => readAll(q), corrupt(new RegExp(`Object file .*${q.split("/").pop()!} is corrupt at byte ${at}: truncated`)), `cut at ${cut}`);
  }
  assert.deepEqual(readAll(withBytes(good.subarray(0, second))), ["first frame"], "a cut at a frame boundary is a shorter valid file");
  // A damaged frame body.
  const damaged = Buffer.from(good);
  damaged.fill(0xee, second + 4, second + 8);
  assert.throws(() => readAll(withBytes(damaged)), corrupt(new RegExp(`corrupt at byte ${second}: undecodable frame`)));
  // A frame holding something other than a batch.
  const body = v8.serialize("not an array");
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length, 0);
  assert.throws(() => readAll(withBytes(Buffer.concat([OBJECT_FILE_MAGIC, head, body]))), corrupt(/corrupt at byte 8: a frame does not hold a batch/));
  // Not an object file at all.
  assert.throws(() => readAll(withBytes(Buffer.from("not an object file"))), corrupt(/is not a tspark object file/));
  assert.throws(() => readAll(withBytes(Buffer.from("TSPK"))), corrupt(/is not a tspark object file/));
  assert.throws(() => readAll(join(dir, "missing")), (e: unknown) => e instanceof TsparkError && e.code === "INPUT_NOT_FOUND");
});

import test from "node:test";
import assert from "node:assert/strict";
import { encodeFrame, FrameDecoder } from "./framing.js";

test("frames survive arbitrary chunking", () => {
  const payloads = [Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(100_000, 7), Buffer.from("héllo")];
  const wire = Buffer.concat(payloads.map(encodeFrame));
  for (const step of [1, 3, 4, 5, 17, 4096, wire.length]) {
    const dec = new FrameDecoder();
    const got: Buffer[] = [];
    for (let i = 0; i < wire.length; i += step) got.push(...dec.push(wire.subarray(i, i + step)));
    assert.equal(got.length, payloads.length);
    got.forEach((g, i) => assert.deepEqual(g, payloads[i]));
    assert.equal(dec.pendingBytes, 0);
  }
});

test("a truncated stream leaves pending bytes; a corrupt header is refused", () => {
  const dec = new FrameDecoder();
  const wire = encodeFrame(Buffer.from("hello"));
  assert.deepEqual(dec.push(wire.subarray(0, 6)), []);
  assert.equal(dec.pendingBytes, 6);
  const bad = Buffer.alloc(8);
  bad.writeUInt32LE(0xffffffff, 0);
  assert.throws(() => new FrameDecoder().push(bad), /corrupt frame header/);
});

import test from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "./crc32.js";

test("crc32 is gzip's CRC-32, and continues from a previous value", () => {
  // The standard check value of CRC-32 (ISO-HDLC).
  assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  assert.equal(crc32(Buffer.from("56789"), crc32(Buffer.from("1234"))), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

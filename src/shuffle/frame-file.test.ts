import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FrameFileWriter, readFrames } from "./frame-file.js";
import { TsparkError } from "../errors.js";

test("every frame carries its checksum: one flipped bit anywhere in a batch is CORRUPT_FILE naming the file and the frame's byte", () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-frames-"));
  try {
    const path = join(dir, "run");
    const w = new FrameFileWriter(path);
    const first = w.writeBatch([["a", 1], ["b", 2]]);
    w.writeBatch([["c", 3], ["d", 4]]);
    w.close();
    assert.deepEqual([...readFrames(path)], [[["a", 1], ["b", 2]], [["c", 3], ["d", 4]]]);
    const bytes = readFileSync(path);
    // A bit of the second batch's numbers: the batch still decodes, to a different number.
    bytes[bytes.length - 20]! ^= 0x01;
    writeFileSync(path, bytes);
    const read = () => [...readFrames(path)];
    assert.throws(read, (e: TsparkError) => e.code === "CORRUPT_FILE" && e.message.includes(path) && e.message.includes(`at byte ${first}`) && /checksum/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

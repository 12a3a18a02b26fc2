import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_FILE, openForWrite, writeAll } from "./fs-errors.js";

test("writeAll writes a list of buffers in order, in gathered writes, more of them than one writev takes", () => {
  const dir = mkdtempSync(join(tmpdir(), "tspark-fs-errors-"));
  try {
    const path = join(dir, "out");
    const fd = openForWrite(path, LOCAL_FILE);
    // Linux's writev takes at most 1024 buffers; empty ones and subarrays are written as they are.
    const parts = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? Buffer.alloc(0) : Buffer.from(`${i},`)));
    const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
    writeAll(fd, [...parts, big.subarray(1), Buffer.from("end")], path, LOCAL_FILE);
    writeAll(fd, Buffer.from("!"), path, LOCAL_FILE);
    closeSync(fd);
    assert.deepEqual(readFileSync(path), Buffer.concat([...parts, big.subarray(1), Buffer.from("end!")]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

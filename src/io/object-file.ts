/**
 * tspark's object file format (saveAsObjectFile / objectFile; PySpark's pickleFile): the
 * magic "TSPKOBJ1", then record batches as frames [u32 LE length][v8-serialized array].
 */
import { openSync, readSync, closeSync, fstatSync } from "node:fs";
import v8 from "node:v8";
import { FrameFileWriter } from "../shuffle/frame-file.js";
import { TsparkError } from "../errors.js";

const MAGIC = Buffer.from("TSPKOBJ1");
const BATCH = 1024;

export class ObjectPartWriter {
  private readonly w: FrameFileWriter;

  constructor(path: string) {
    this.w = new FrameFileWriter(path);
    this.w.writeRaw(MAGIC);
  }

  write(records: unknown[]): void {
    for (let i = 0; i < records.length; i += BATCH) this.w.writeBatch(records.slice(i, i + BATCH));
  }

  close(): void {
    this.w.close();
  }
}

export function* readObjectFile(path: string): Generator<unknown[], void, undefined> {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(MAGIC.length);
    if (size < MAGIC.length || readSync(fd, head, 0, MAGIC.length, 0) !== MAGIC.length || !head.equals(MAGIC)) {
      throw new TsparkError("INVALID_ARGUMENT", `${path} is not a tspark object file (bad magic header)`);
    }
    let pos = MAGIC.length;
    const len4 = Buffer.alloc(4);
    while (pos < size) {
      if (pos + 4 > size || readSync(fd, len4, 0, 4, pos) !== 4) throw new TsparkError("INVALID_ARGUMENT", `object file ${path} is truncated at byte ${pos}`);
      const len = len4.readUInt32LE(0);
      if (pos + 4 + len > size) throw new TsparkError("INVALID_ARGUMENT", `object file ${path} is truncated at byte ${pos} (frame of ${len} bytes)`);
      const body = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) got += readSync(fd, body, got, len - got, pos + 4 + got);
      let batch: unknown[];
      try {
        batch = v8.deserialize(body) as unknown[];
      } catch (err) {
        throw new TsparkError("INVALID_ARGUMENT", `object file ${path} is corrupt at byte ${pos}: ${(err as Error).message}`, { cause: err });
      }
      yield batch;
      pos += 4 + len;
    }
  } finally {
    closeSync(fd);
  }
}

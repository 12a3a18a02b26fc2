/**
 * Writes a part file of text lines: buffered into large sequential writes, gzip-compressed
 * as one stream when asked (fflate's synchronous streaming Gzip: workers write synchronously).
 */
import { openSync, writeSync, closeSync } from "node:fs";
import { Gzip } from "fflate";

const BLOCK = 1024 * 1024;

export class TextPartWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  private readonly gzip: Gzip | undefined;

  constructor(path: string, codec?: "gzip") {
    this.fd = openSync(path, "w");
    if (codec === "gzip") this.gzip = new Gzip({ level: 6 }, (data) => this.writeBytes(data));
  }

  write(lines: string[]): void {
    for (const l of lines) {
      this.parts.push(l, "\n");
      this.size += l.length + 1;
    }
    if (this.size >= BLOCK) this.flush(false);
  }

  private writeBytes(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off);
  }

  private flush(final: boolean): void {
    const bytes = Buffer.from(this.parts.join(""), "utf8");
    this.parts = [];
    this.size = 0;
    if (this.gzip) this.gzip.push(bytes, final);
    else this.writeBytes(bytes);
  }

  close(): void {
    this.flush(true);
    closeSync(this.fd);
  }
}

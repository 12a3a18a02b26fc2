/**
 * Writes one part file of text lines (saveAsTextFile), synchronously: each line plus "\n",
 * buffered into ~1 MiB sequential writes.
 *
 * gzip: each ~1 MiB block is compressed with node:zlib's gzipSync into its own gzip member,
 * and the file is the concatenation of members. RFC 1952 defines a gzip file as a series of
 * members; gzip/zcat, Python, Hadoop, Node's gunzip and our own reader all read it as one
 * stream. Chosen over fflate's streaming Gzip after measuring: native zlib compressed ~7x
 * faster (about 100 MB/s against 15 MB/s on log-like text) and slightly smaller, and a
 * fresh 32 KiB window per MiB costs under 1% of ratio.
 */
import { closeSync } from "node:fs";
import { openForWrite, writeAll, OUTPUT_FILE } from "../util/fs-errors.js";
import { gzipSync } from "node:zlib";
import { TsparkError } from "../errors.js";

const BLOCK = 1024 * 1024;

export class TextPartWriter {
  /** The file written: `path`, with ".gz" appended when compressing and it lacks it. */
  readonly path: string;
  private readonly fd: number;
  private readonly gzip: boolean;
  private parts: string[] = [];
  private pendingChars = 0;
  private wroteAny = false;
  private closed = false;

  constructor(path: string, codec?: "gzip") {
    if (codec !== undefined && codec !== "gzip") throw new TsparkError("INVALID_ARGUMENT", `unknown compression codec ${JSON.stringify(codec)} (supported: "gzip")`);
    this.gzip = codec === "gzip";
    this.path = this.gzip && !path.endsWith(".gz") ? `${path}.gz` : path;
    this.fd = openForWrite(this.path, OUTPUT_FILE);
  }

  write(lines: string[]): void {
    if (this.closed) throw new TsparkError("INVALID_ARGUMENT", `TextPartWriter: write after close (${this.path})`);
    for (const l of lines) {
      this.parts.push(l);
      this.pendingChars += l.length + 1;
    }
    if (this.pendingChars >= BLOCK) this.flush();
  }

  private writeBytes(bytes: Uint8Array): void {
    writeAll(this.fd, bytes, this.path, OUTPUT_FILE);
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    // One join and one encode per block: far cheaper than encoding line by line.
    const bytes = Buffer.from(this.parts.join("\n") + "\n", "utf8");
    this.parts = [];
    this.pendingChars = 0;
    this.writeBytes(this.gzip ? gzipSync(bytes) : bytes);
    this.wroteAny = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
      // An empty partition still makes a valid (empty) .gz, which every gunzip accepts.
      if (this.gzip && !this.wroteAny) this.writeBytes(gzipSync(Buffer.alloc(0)));
    } finally {
      closeSync(this.fd);
    }
  }
}

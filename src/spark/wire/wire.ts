/**
 * The byte grammar of PySpark's worker socket (`PythonRunner` on the JVM side): big-endian
 * int32/int64 (Java `DataOutputStream`), one-byte bools, strings as int32 byte length + UTF-8,
 * and frames as int32 length + bytes, where a negative length is a control code
 * ({@link SpecialLength}) instead. This module knows the grammar only, not the task layout
 * (task-header.ts) nor the connection handshake (handshake.ts).
 */
import type { Readable, Writable } from "node:stream";
import { TsparkError } from "../../errors.js";

/** Negative frame lengths with a meaning of their own (`SpecialLengths` in PythonRunner.scala / serializers.py). */
export const SpecialLength = {
  /** J→W: end of the input data; W→J: start of the accumulator section. */
  END_OF_DATA_SECTION: -1,
  /** W→J: followed by a str, the error message; the task fails with a PythonException. */
  PYTHON_EXCEPTION_THROWN: -2,
  /** W→J: followed by the timing and spill longs (task-header.ts, writeTaskEnd). */
  TIMING_DATA: -3,
  /** J→W after the data section (and its -1); W→J echo means the worker could be reused. */
  END_OF_STREAM: -4,
  /** J→W: a null element in the data section. Never valid W→J. */
  NULL: -5,
  /** Arrow-based UDF runners only. */
  START_ARROW_STREAM: -6,
  /** 4.x streaming runners only. */
  END_OF_MICRO_BATCH: -7,
  /** 4.3: precedes int32 length + the whole task header (the "init message"). */
  START_OF_INIT_MESSAGE: -8,
} as const;

/** The bytes do not follow the grammar (a negative string length, an unexpected control code, ...). Code `PROTOCOL`. */
export class WireProtocolError extends TsparkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("PROTOCOL", message, options);
    this.name = "WireProtocolError";
  }
}

/** The peer closed the connection (or the stream ended) before a value was complete. Code `PROTOCOL`. */
export class WireEOFError extends WireProtocolError {
  constructor(message: string) {
    super(message);
    this.name = "WireEOFError";
  }
}

const EMPTY = Buffer.alloc(0);
/** Above this many buffered bytes the reader pauses its source (unless a pending read needs more). */
const READ_HIGH_WATER = 1 << 20;

interface Waiter {
  need: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * Buffered reader of the grammar over a Readable (a `net.Socket`), or over a Buffer already in
 * memory ({@link WireReader.fromBuffer}). Reads must not overlap: await each before the next.
 * Bytes arrive as chunks; a value is a zero-copy `subarray` when it lies in one chunk and a
 * copy of exactly its bytes when it spans chunks.
 */
export class WireReader {
  private chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private off = 0;
  /** Unread bytes across all chunks. */
  private avail = 0;
  private waiter: Waiter | undefined;
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private consumed = 0;

  constructor(private readonly source?: Readable) {
    if (!source) return;
    source.on("data", (chunk: Buffer | string) => this.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk));
    source.on("end", () => this.finish(undefined));
    source.on("close", () => this.finish(undefined));
    source.on("error", (e: Error) => this.finish(e));
  }

  /** A reader over bytes already in memory, ending after them. */
  static fromBuffer(buf: Buffer): WireReader {
    const r = new WireReader();
    r.push(buf);
    r.finish(undefined);
    return r;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.avail;
  }

  /** Bytes read so far (handy to check that a length-delimited message was consumed exactly). */
  get position(): number {
    return this.consumed;
  }

  /** True once the source ended and every byte was read. */
  get atEnd(): boolean {
    return this.ended && this.avail === 0;
  }

  /**
   * Waits for the next byte: true once one is buffered, false if the source ends (cleanly or
   * not) with nothing left to read. A reused worker asks this between tasks.
   */
  async hasMore(): Promise<boolean> {
    if (this.avail > 0) return true;
    if (this.ended) return false;
    return this.need(1).then(
      () => true,
      () => false,
    );
  }

  async readInt32(): Promise<number> {
    if (this.avail < 4) await this.need(4);
    return this.takeInt32();
  }

  async readInt64(): Promise<bigint> {
    if (this.avail < 8) await this.need(8);
    return this.take(8).readBigInt64BE(0);
  }

  async readBool(): Promise<boolean> {
    if (this.avail < 1) await this.need(1);
    return this.take(1)[0] !== 0;
  }

  /** An int32 byte length then that many bytes of UTF-8. A negative length is a protocol error. */
  async readString(): Promise<string> {
    const n = await this.readInt32();
    if (n < 0) throw new WireProtocolError(`expected a string, got length ${n}`);
    return (await this.readBytes(n)).toString("utf8");
  }

  /** Exactly n bytes (a view into the receive buffer when they arrived in one chunk: copy it to keep it long). */
  async readBytes(n: number): Promise<Buffer> {
    if (n < 0 || !Number.isInteger(n)) throw new RangeError(`cannot read ${n} bytes`);
    if (this.avail < n) await this.need(n);
    return this.take(n);
  }

  /** One frame: its bytes, or the negative special length (e.g. -1, or -5 for NULL) as a number. */
  async readFrame(): Promise<Buffer | number> {
    const n = await this.readInt32();
    if (n < 0) return n;
    return this.readBytes(n);
  }

  /**
   * The data-section fast path: as many complete frames as are already buffered (at most max,
   * at least one), awaiting only when not even one is. NULL (-5) becomes `null`. Any other
   * negative length ends the batch: it is returned on its own, as a number, by the call after
   * the frames before it (so a call returns either frames or one special length).
   */
  async readFrames(max: number): Promise<Array<Buffer | null> | number> {
    if (max < 1) throw new RangeError(`max must be at least 1, got ${max}`);
    for (;;) {
      const out: Array<Buffer | null> = [];
      while (out.length < max && this.avail >= 4) {
        const n = this.peekInt32();
        if (n >= 0) {
          if (this.avail < 4 + n) break;
          this.skip(4);
          out.push(this.take(n));
        } else if (n === SpecialLength.NULL) {
          this.skip(4);
          out.push(null);
        } else {
          if (out.length > 0) return out;
          this.skip(4);
          return n;
        }
      }
      if (out.length > 0) return out;
      // Not one complete frame buffered: wait for its length, or for its bytes.
      const need = this.avail < 4 ? 4 : 4 + this.peekInt32();
      await this.need(need);
    }
  }

  // ---- buffer management

  private push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.avail += chunk.length;
    const w = this.waiter;
    if (w && this.avail >= w.need) {
      this.waiter = undefined;
      w.resolve();
    }
    if (this.source && !this.paused && this.avail >= READ_HIGH_WATER && (!this.waiter || this.avail >= this.waiter.need)) {
      this.paused = true;
      this.source.pause();
    }
  }

  private finish(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.reject(this.eofError(w.need));
    }
  }

  private eofError(need: number): Error {
    if (this.failure) return this.failure;
    return new WireEOFError(`connection closed with ${this.avail} of ${need} needed bytes received`);
  }

  private need(n: number): Promise<void> {
    if (this.avail >= n) return Promise.resolve();
    if (this.ended) return Promise.reject(this.eofError(n));
    if (this.waiter) return Promise.reject(new Error("WireReader: overlapping reads"));
    if (this.paused) {
      this.paused = false;
      this.source?.resume();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiter = { need: n, resolve, reject };
    });
  }

  private afterConsume(n: number): void {
    this.avail -= n;
    this.consumed += n;
    if (this.paused && this.avail < READ_HIGH_WATER) {
      this.paused = false;
      this.source?.resume();
    }
  }

  /** Reads a big-endian int32 without consuming it; requires avail >= 4. */
  private peekInt32(): number {
    const head = this.chunks[0]!;
    if (head.length - this.off >= 4) return head.readInt32BE(this.off);
    let v = 0;
    let ci = 0;
    let o = this.off;
    for (let i = 0; i < 4; i++) {
      let c = this.chunks[ci]!;
      while (o >= c.length) {
        c = this.chunks[++ci]!;
        o = 0;
      }
      v = (v << 8) | c[o++]!;
    }
    return v | 0;
  }

  private takeInt32(): number {
    const head = this.chunks[0]!;
    if (head.length - this.off >= 4) {
      const v = head.readInt32BE(this.off);
      this.advance(head, 4);
      return v;
    }
    return this.take(4).readInt32BE(0);
  }

  private skip(n: number): void {
    const head = this.chunks[0]!;
    if (head.length - this.off >= n) this.advance(head, n);
    else this.take(n);
  }

  private advance(head: Buffer, n: number): void {
    this.off += n;
    if (this.off === head.length) {
      this.chunks.shift();
      this.off = 0;
    }
    this.afterConsume(n);
  }

  /** Consumes n bytes; requires avail >= n. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const head = this.chunks[0]!;
    const left = head.length - this.off;
    if (left >= n) {
      const out = head.subarray(this.off, this.off + n);
      this.advance(head, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.off, n - filled);
      c.copy(out, filled, this.off, this.off + k);
      filled += k;
      this.off += k;
      if (this.off === c.length) {
        this.chunks.shift();
        this.off = 0;
      }
    }
    this.afterConsume(n);
    return out;
  }
}

const CHUNK = 64 * 1024;
/** Frames at least this big are handed to the stream as they are, not copied into the chunk. */
const DIRECT_FRAME = 16 * 1024;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * Buffered writer of the grammar over a Writable. Small writes are coalesced into ~64 KiB chunks
 * handed to the stream when full; {@link WireWriter.flush} hands over the rest and waits while
 * the stream is over its high-water mark. Between flushes memory grows with what is written:
 * callers writing a lot check {@link WireWriter.backpressured} and flush when it is true.
 * A frame of 16 KiB or more is passed to the stream without a copy: do not modify it afterwards.
 */
export class WireWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private failure: Error | undefined;

  /** Chunks handed over by a writer made by {@link WireWriter.encode} (no stream). */
  private collected: Buffer[] | undefined;

  constructor(private readonly sink: Writable) {
    sink.on("error", (e: Error) => {
      this.failure ??= e;
    });
  }

  /** The bytes `fill` writes, in memory (e.g. to learn a message's length before sending it). */
  static encode(fill: (w: WireWriter) => void): Buffer {
    const w = Object.create(WireWriter.prototype) as WireWriter;
    w.buf = Buffer.allocUnsafe(CHUNK);
    w.pos = 0;
    w.collected = [];
    fill(w);
    w.handOver();
    return Buffer.concat(w.collected);
  }

  /** True when the stream wants the writer to wait (its buffer is over the high-water mark). */
  get backpressured(): boolean {
    return !this.collected && this.sink.writableNeedDrain;
  }

  /** Bytes written into the writer and not yet handed to the stream. */
  get pending(): number {
    return this.pos;
  }

  int32(n: number): this {
    if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX) throw new RangeError(`${n} is not an int32`);
    this.room(4);
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4;
    return this;
  }

  int64(n: bigint | number): this {
    this.room(8);
    if (typeof n === "bigint") {
      this.buf.writeBigInt64BE(n, this.pos);
    } else {
      if (!Number.isSafeInteger(n)) throw new RangeError(`${n} is not an integer an int64 holds exactly`);
      this.buf.writeInt32BE(Math.floor(n / 2 ** 32), this.pos);
      this.buf.writeUInt32BE(n >>> 0, this.pos + 4);
    }
    this.pos += 8;
    return this;
  }

  bool(b: boolean): this {
    this.room(1);
    this.buf[this.pos++] = b ? 1 : 0;
    return this;
  }

  /** int32 UTF-8 byte length, then the UTF-8 bytes (lone surrogates become U+FFFD). */
  string(s: string): this {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings are encoded in place.
    if (s.length * 3 <= CHUNK - 4) {
      this.room(4 + s.length * 3);
      const n = this.buf.write(s, this.pos + 4, "utf8");
      this.buf.writeInt32BE(n, this.pos);
      this.pos += 4 + n;
      return this;
    }
    return this.frame(Buffer.from(s, "utf8"));
  }

  /** int32 length, then the bytes. */
  frame(bytes: Uint8Array): this {
    const n = bytes.length;
    this.int32(n);
    this.raw(bytes);
    return this;
  }

  /** Bytes as they are, with no length. */
  raw(bytes: Uint8Array): this {
    const n = bytes.length;
    if (n >= DIRECT_FRAME) {
      this.handOver();
      if (this.collected) this.collected.push(Buffer.from(bytes));
      else this.sink.write(bytes);
    } else {
      this.room(n);
      this.buf.set(bytes, this.pos);
      this.pos += n;
    }
    return this;
  }

  /** Hands everything written to the stream and resolves once the stream is below its high-water mark. */
  async flush(): Promise<void> {
    this.handOver();
    if (this.failure) throw this.failure;
    if (this.collected || !this.sink.writableNeedDrain) return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error): void => {
        this.sink.off("drain", onDrain);
        this.sink.off("error", onError);
        this.sink.off("close", onClose);
        if (e) reject(e);
        else resolve();
      };
      const onDrain = (): void => done();
      const onError = (e: Error): void => done(e);
      const onClose = (): void => done(this.failure ?? new WireEOFError("the stream closed while writes were pending"));
      this.sink.on("drain", onDrain);
      this.sink.on("error", onError);
      this.sink.on("close", onClose);
    });
  }

  /** Ensures n bytes fit in the current chunk (handing the chunk over if not). */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.handOver();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private handOver(): void {
    if (this.pos === 0) return;
    const full = this.buf.subarray(0, this.pos);
    if (this.collected) this.collected.push(full);
    else this.sink.write(full);
    // The stream keeps a reference to `full`: start a fresh chunk.
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
  }
}

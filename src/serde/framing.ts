/**
 * Length-prefixed framing for every byte stream between tspark processes.
 * A frame is `[u32 little-endian length][payload]`. The decoder is incremental: feed it
 * chunks as they arrive from a pipe, take out whole frames.
 */
import { TsparkError } from "../errors.js";

/** Frames larger than this are refused as corrupt rather than buffered (protects memory). */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_BYTES) {
    throw new TsparkError("PROTOCOL", `frame of ${payload.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`);
  }
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds a chunk; returns the complete frames it finished (possibly none). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const len = head.readUInt32LE(0);
      if (len > MAX_FRAME_BYTES) {
        throw new TsparkError("PROTOCOL", `corrupt frame header: length ${len} exceeds the ${MAX_FRAME_BYTES}-byte limit`);
      }
      if (this.buffered < 4 + len) break;
      const all = this.take(4 + len);
      frames.push(all.subarray(4));
    }
    return frames;
  }

  /** Bytes held that do not yet form a whole frame (non-zero at end of stream means truncation). */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}

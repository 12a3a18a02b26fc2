/**
 * A task's result larger than one frame travels in pieces: its records are encoded a slice at
 * a time, each slice within `maxBytes`, and the receiver appends the slices in order. Only a
 * single record larger than a frame cannot be sent (the user must split it or write it out).
 */
import { TsparkError } from "../errors.js";
import { formatBytes } from "../util/format.js";
import { MAX_FRAME_BYTES } from "./framing.js";
import { decodeMessage, encodeMessage } from "./message-codec.js";

/** Room left in a frame for the message around a piece (its type, task id...). */
const ENVELOPE_BYTES = 64 * 1024;

/** The most bytes of one encoded piece. */
export const MAX_PIECE_BYTES = MAX_FRAME_BYTES - ENVELOPE_BYTES;

/**
 * `records` encoded as consecutive slices, each at most `maxBytes` (by `encode`: as an array
 * of records, or inside the message that carries it). `bytesHint`, the size of all of them
 * encoded at once when known, sizes the first slice.
 */
export function* encodeRecordPieces(
  records: readonly unknown[],
  maxBytes = MAX_PIECE_BYTES,
  bytesHint?: number,
  encode: (slice: unknown[]) => Buffer = (slice) => encodeMessage(slice, "the task's result"),
): Generator<Buffer, void, undefined> {
  let n = bytesHint ? Math.max(1, Math.floor((records.length * maxBytes) / bytesHint / 2)) : Math.min(records.length, 65_536);
  let i = 0;
  while (i < records.length) {
    const slice = records.slice(i, i + n);
    const bytes = encode(slice);
    if (bytes.length > maxBytes) {
      if (slice.length === 1) {
        throw new TsparkError("INVALID_ARGUMENT", `one record of the task's result serializes to ${formatBytes(bytes.length)}, more than one frame holds (${formatBytes(maxBytes)}): split it into smaller records, or write the RDD out (saveAsTextFile, saveAsObjectFile)`);
      }
      n = Math.ceil(slice.length / 2);
      continue;
    }
    yield bytes;
    i += slice.length;
    if (bytes.length < maxBytes / 4) n *= 2;
  }
}

/** Appends the records of an encoded piece to `into`. */
export function appendPiece(into: unknown[], piece: Uint8Array): void {
  const records = decodeMessage<unknown[]>(piece);
  for (let i = 0; i < records.length; i++) into.push(records[i]);
}

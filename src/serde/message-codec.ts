/**
 * Control messages between driver and workers are plain data encoded with V8's structured
 * serialization (value-codec.ts): it is native (fast), keeps Buffers, typed arrays, Maps,
 * Sets, Dates and bigints intact, and needs no schema; the records a message carries (a
 * task's results, a fold's zero value, accumulator values) keep their classes too. Record
 * batches ride inside messages as opaque bytes.
 */
import { deserializeValue, serializeValue } from "./value-codec.js";

/** `what` names the message in an error about a value inside it that cannot be serialized. */
export function encodeMessage(message: unknown, what = "a message"): Buffer {
  return serializeValue(message, what);
}

export function decodeMessage<T>(bytes: Uint8Array): T {
  return deserializeValue<T>(bytes);
}

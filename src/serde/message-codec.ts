/**
 * Control messages between driver and workers are plain data encoded with V8's structured
 * serialization: it is native (fast), keeps Buffers, typed arrays, Maps, Sets, Dates and
 * bigints intact, and needs no schema. Record batches ride inside messages as opaque bytes.
 */
import v8 from "node:v8";

export function encodeMessage(message: unknown): Buffer {
  return v8.serialize(message);
}

export function decodeMessage<T>(bytes: Uint8Array): T {
  return v8.deserialize(bytes) as T;
}

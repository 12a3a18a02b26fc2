/**
 * CRC-32 (gzip's and zlib's): node:zlib's native one where present (Node >= 20.15), else a
 * table. Used for gzip trailers (io/line-reader.ts) and the checksum of every frame of
 * shuffle, spill and cache files (shuffle/frame-file.ts).
 */
import zlib from "node:zlib";

let crcTable: Uint32Array | undefined;

function jsCrc32(data: Uint8Array, crc: number): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The CRC-32 of `data`, continuing from `crc` (0 to start). */
export const crc32: (data: Uint8Array, crc?: number) => number = typeof zlib.crc32 === "function" ? (d, c = 0) => zlib.crc32(d, c) : (d, c = 0) => jsCrc32(d, c);

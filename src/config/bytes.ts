/**
 * Sizes as settings write them ("512m", "1g", "65536"), and the heap flag node wants for one.
 */

/** Parses a size such as "512m", "1g", "64k" or "1024" (bytes). */
export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  // A plain Error, as ever: the launcher prefixes the setting's source, the context shows it as is.
  if (!m) throw new Error(`not a size: "${text}" (expected e.g. 512m, 1g, 65536)`);
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  return Math.round(Number(m[1]) * scale);
}

/** A heap size in bytes as node's --max-old-space-size wants it (whole MiB, at least 16), for the driver and the workers alike. */
export function heapMegabytes(bytes: number): number {
  return Math.max(16, Math.floor(bytes / 1024 / 1024));
}

/**
 * File-system calls whose failures users must understand: opening input for reading and
 * writing output, shuffle and spill files. A full disk, a quota or a read-only file system
 * becomes DISK_FULL naming the file and what to do; an unreadable input becomes
 * INPUT_UNREADABLE naming the file, instead of a bare "EACCES"/"ENOSPC, write".
 */
import { openSync, writeSync, writevSync, writeFileSync } from "node:fs";
import { TsparkError } from "../errors.js";

const NO_SPACE = new Set(["ENOSPC", "EDQUOT", "EFBIG", "EROFS"]);
const DENIED = new Set(["EACCES", "EPERM"]);

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

/** Opens an input file for reading; `hint` is added to the not-found message. */
export function openForRead(path: string, hint = ""): number {
  try {
    return openSync(path, "r");
  } catch (err) {
    const code = errno(err);
    if (code === "ENOENT") throw new TsparkError("INPUT_NOT_FOUND", `Input path does not exist: ${path}${hint}`, { cause: err });
    if (code !== undefined && DENIED.has(code)) throw new TsparkError("INPUT_UNREADABLE", `Input file is not readable: ${path} (permission denied)`, { cause: err });
    if (code === "EISDIR") throw new TsparkError("INPUT_UNREADABLE", `Input path is a directory where a file was expected: ${path}`, { cause: err });
    throw err;
  }
}

/** What a written file is, for messages ("output file", "temporary file"), and where to make room. */
export interface WriteTarget {
  what: string;
  advice: string;
}

export const OUTPUT_FILE: WriteTarget = { what: "output file", advice: "free space there or write to another path" };
export const LOCAL_FILE: WriteTarget = {
  what: "temporary file",
  advice: "shuffle, spill, cache and broadcast files go under tspark.local.dir (default: the system temporary directory); free space there or set tspark.local.dir to a larger disk",
};

function writeError(err: unknown, path: string, target: WriteTarget): unknown {
  const code = errno(err);
  if (code !== undefined && NO_SPACE.has(code)) {
    const why = code === "EROFS" ? "the file system is read-only" : code === "EDQUOT" ? "the disk quota is exhausted" : "no space left on device";
    return new TsparkError("DISK_FULL", `Cannot write ${target.what} ${path}: ${why} (${code}); ${target.advice}`, { cause: err });
  }
  return err;
}

/** Opens (creating or truncating) a file for writing. */
export function openForWrite(path: string, target: WriteTarget): number {
  try {
    return openSync(path, "w");
  } catch (err) {
    throw writeError(err, path, target);
  }
}

/**
 * Writes all of `bytes` at the file's current position; a list of buffers goes in gathered
 * writes (writev), not copied into one block first.
 */
export function writeAll(fd: number, bytes: Uint8Array | readonly Uint8Array[], path: string, target: WriteTarget): void {
  try {
    if (bytes instanceof Uint8Array) {
      let off = 0;
      while (off < bytes.length) off += progress(writeSync(fd, bytes, off, bytes.length - off), path);
      return;
    }
    let rest = bytes.filter((b) => b.length > 0);
    while (rest.length > 0) {
      let n = progress(writevSync(fd, rest), path);
      // A short write: drop what went out, and go on from inside the buffer it stopped in.
      let i = 0;
      while (i < rest.length && n >= rest[i]!.length) n -= rest[i++]!.length;
      rest = rest.slice(i);
      if (n > 0) rest[0] = rest[0]!.subarray(n);
    }
  } catch (err) {
    throw writeError(err, path, target);
  }
}

/** A write's byte count; none written for bytes given would loop forever. */
function progress(n: number, path: string): number {
  if (n === 0) throw new Error(`writing ${path}: the write made no progress`);
  return n;
}

/** writeFileSync with the same error reporting. */
export function writeWholeFile(path: string, data: Uint8Array | string, target: WriteTarget): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw writeError(err, path, target);
  }
}

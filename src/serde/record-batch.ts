/**
 * How a batch of records is encoded in shuffle and spill files.
 *
 * Most shuffled records are [key, value] pairs of strings and numbers (word counts, sums by
 * key, joins, sorts), and a spilled combiner is a [hash, key, combiner] triple. Such a batch
 * is written column by column: numbers as float64, strings as their lengths plus one run of
 * text, as Latin-1 when the whole batch is ASCII and as UTF-16 otherwise (both exact for
 * every JS string, lone surrogates included). The last column may also hold plain arrays of
 * numbers or of strings (groupByKey's groups, a join's pairs of strings): a column of
 * counts, then every list's elements in one column. Every other batch is written by
 * value-codec.ts (V8's structured serialization, keeping the records' classes),
 * recognizable by its first byte, which is never PAIRS or TRIPLES.
 *
 * Numbers (float64) and string lengths (u32) are written in the host's byte order, copied
 * as whole typed arrays: a batch is read where it was written, or (Spark's shuffle) on a
 * machine of the same byte order.
 *
 * Chosen by measurement (`npm run bench:serde`, bench/SERDE.md): this layout encodes about as
 * fast as MessagePack (msgpackr) and decodes fastest of V8's serializer, JSON and
 * MessagePack. MessagePack's bytes are fewer (variable-length numbers), but it writes strings
 * as UTF-8, which cannot hold a lone surrogate, and turns -0 into 0; this layout is exact, and
 * shuffle files mostly stay in the page cache. Splitting the text on a separator decodes fast
 * too, but V8 makes pieces of 13+ characters slices of the batch's text, so a few kept keys
 * could pin whole batches in memory: long strings are decoded on their own.
 */
import { TsparkError } from "../errors.js";
import { deserializeValue, isSerializedValue, serializeValue } from "./value-codec.js";

/** The first byte of a column batch of pairs, and of triples. */
const PAIRS = 1;
const TRIPLES = 2;
const STRING = 1;
const NUMBER = 2;
const NULL = 3;
/** A value that is a list of numbers: a count column, then every list's numbers in one float64 column. */
const NUMBER_LIST = 4;
/** A value that is a list of strings: a count column, then every string's length (the text joins the batch's run). */
const STRING_LIST = 5;
/** An empty list, which either list column holds (a column of empty lists only is a NUMBER_LIST). */
const EMPTY_LIST = 6;
const LATIN1 = 0;
const UTF16 = 1;
/** How value-codec names a batch in an error ("cannot serialize a function at records[2].f"). */
const RECORDS = "records";
/** Below this length V8 copies a substring instead of making a slice of its parent. */
const SHORT_STRING = 13;

/**
 * Buffer's per-encoding methods (present in every Node version, used by Buffer itself):
 * `toString("latin1", a, b)` costs 30-40 ns more per string (argument checks), which is
 * a third of the decoding time.
 */
interface CodedBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  ucs2Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number): number;
  ucs2Write(s: string, offset: number): number;
}

/**
 * The header: the tag, each column's kind, the text's encoding, then (at a multiple of 4) the
 * record count and the text's length in code units, as u32.
 */
function countAt(arity: number): number {
  return (2 + arity + 3) & ~3;
}
function headerBytes(arity: number): number {
  return countAt(arity) + 8;
}

/**
 * The kind shared by every value of a column, or 0 when they differ or are not plain. A list
 * (a plain Array, such as groupByKey's groups) is judged by its first element here; the
 * encoder checks the rest.
 */
function columnKind(v: unknown): number {
  if (typeof v === "string") return STRING;
  if (typeof v === "number") return NUMBER;
  if (v === null) return NULL;
  if (!isPlainArray(v)) return 0;
  if (v.length === 0) return EMPTY_LIST;
  const first: unknown = v[0];
  return typeof first === "number" ? NUMBER_LIST : typeof first === "string" ? STRING_LIST : 0;
}

/** An Array, not an instance of a class extending Array (which value-codec keeps). */
function isPlainArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
}

/** Whether `k` is a list's kind. */
function isList(k: number): boolean {
  return k === NUMBER_LIST || k === STRING_LIST || k === EMPTY_LIST;
}

/** Whether every element of `list` is of `type` (no holes). */
function uniform(list: unknown[], type: "number" | "string"): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== type) return false;
  return true;
}

/** The bytes of a column of `kind` for `n` records whose lists hold `elements` in all. */
function columnBytes(kind: number, n: number, elements: number): number {
  if (kind === NUMBER) return 8 * n;
  if (kind === STRING) return 4 * n;
  if (kind === NUMBER_LIST) return 4 * n + 8 * elements;
  if (kind === STRING_LIST) return 4 * n + 4 * elements;
  return 0;
}

/**
 * Most text one column batch carries (code units). The joined run must stay a valid V8
 * string (under 2^29 units) with room to spare; a batch of larger strings (4096 whole
 * files of 150 KB, say) is V8-serialized instead, which has no such limit.
 */
export const MAX_COLUMN_TEXT = 2 ** 27;

/**
 * The batch's bytes after `room` bytes left for the caller's header (a frame's), so a frame
 * is encoded in place rather than copied. `maxText` is MAX_COLUMN_TEXT but in tests.
 */
export function encodeBatch(records: unknown[], room = 0, maxText = MAX_COLUMN_TEXT): Buffer {
  const layout = columnKinds(records);
  if (!layout) return afterRoom(serializeValue(records, RECORDS), room);
  const { kinds, elements } = layout;
  const n = records.length;
  const arity = kinds.length;
  const last = arity - 1;
  const strings: string[] = [];
  let units = 0;
  for (let c = 0; c < arity; c++) {
    if (kinds[c] === STRING) {
      for (let i = 0; i < n; i++) {
        const str = (records[i] as string[])[c]!;
        units += str.length;
        strings.push(str);
      }
    } else if (kinds[c] === STRING_LIST) {
      for (let i = 0; i < n; i++) {
        for (const str of (records[i] as string[][])[c]!) {
          units += str.length;
          strings.push(str);
        }
      }
    }
  }
  if (units > maxText) return afterRoom(serializeValue(records, RECORDS), room);
  const text = strings.join("");
  const enc = Buffer.byteLength(text, "utf8") === text.length ? LATIN1 : UTF16;
  let textAt = headerBytes(arity);
  for (let c = 0; c < arity; c++) textAt += columnBytes(kinds[c]!, n, c === last ? elements : 0);
  const out = Buffer.allocUnsafe(room + textAt + text.length * (enc === LATIN1 ? 1 : 2));
  const buf = out.subarray(room) as CodedBuffer;
  buf.fill(0, 0, headerBytes(arity));
  buf[0] = arity === 2 ? PAIRS : TRIPLES;
  for (let c = 0; c < arity; c++) buf[1 + c] = kinds[c]!;
  buf[1 + arity] = enc;
  buf.writeUInt32LE(n, countAt(arity));
  buf.writeUInt32LE(text.length, countAt(arity) + 4);
  let o = headerBytes(arity);
  const put = (column: Float64Array | Uint32Array) => {
    buf.set(new Uint8Array(column.buffer), o);
    o += column.byteLength;
  };
  for (let c = 0; c < arity; c++) {
    const kind = kinds[c];
    if (kind === NUMBER) {
      const column = new Float64Array(n);
      for (let i = 0; i < n; i++) column[i] = (records[i] as number[])[c]!;
      put(column);
    } else if (kind === STRING) {
      const column = new Uint32Array(n);
      for (let i = 0; i < n; i++) column[i] = (records[i] as string[])[c]!.length;
      put(column);
    } else if (kind === NUMBER_LIST || kind === STRING_LIST) {
      const counts = new Uint32Array(n);
      const items = kind === NUMBER_LIST ? new Float64Array(elements) : new Uint32Array(elements);
      let e = 0;
      for (let i = 0; i < n; i++) {
        const list = (records[i] as Array<Array<number | string>>)[c]!;
        counts[i] = list.length;
        if (kind === NUMBER_LIST) for (let j = 0; j < list.length; j++) items[e++] = list[j] as number;
        else for (let j = 0; j < list.length; j++) items[e++] = (list[j] as string).length;
      }
      put(counts);
      put(items);
    }
  }
  if (enc === LATIN1) buf.latin1Write(text, textAt);
  else buf.ucs2Write(text, textAt);
  return out;
}

/** `body` after `room` free bytes (a copy: V8's serializer cannot write in place). */
function afterRoom(body: Buffer, room: number): Buffer {
  if (room === 0) return body;
  const out = Buffer.allocUnsafe(room + body.length);
  out.set(body, room);
  return out;
}

/**
 * Each column's kind when every record is a pair or a triple the column layout holds: strings
 * or numbers first (and in the middle), and last strings, numbers, nulls or lists of numbers
 * or of strings; and how many elements the last column's lists hold together. Undefined
 * when the layout does not hold the records.
 */
function columnKinds(records: unknown[]): { kinds: number[]; elements: number } | undefined {
  const n = records.length;
  const first = records[0];
  if (n === 0 || !isPlainArray(first) || (first.length !== 2 && first.length !== 3)) return undefined;
  const arity = first.length;
  const k0 = columnKind(first[0]);
  const k1 = arity === 3 ? columnKind(first[1]) : 0;
  if ((k0 !== STRING && k0 !== NUMBER) || (arity === 3 && k1 !== STRING && k1 !== NUMBER)) return undefined;
  const last = arity - 1;
  let vk = columnKind(first[last]);
  if (vk === 0) return undefined;
  let elements = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i] as unknown[];
    if (!isPlainArray(r) || r.length !== arity || columnKind(r[0]) !== k0 || (arity === 3 && columnKind(r[1]) !== k1)) return undefined;
    const k = columnKind(r[last]);
    if (k === vk || (k === EMPTY_LIST && isList(vk))) {
      if (k === EMPTY_LIST || !isList(k)) continue;
    } else if (vk === EMPTY_LIST && isList(k)) {
      vk = k;
    } else {
      return undefined;
    }
    const list = r[last] as unknown[];
    if (!uniform(list, k === NUMBER_LIST ? "number" : "string")) return undefined;
    elements += list.length;
  }
  if (vk === EMPTY_LIST) vk = NUMBER_LIST;
  return { kinds: arity === 2 ? [k0, vk] : [k0, k1, vk], elements };
}

/** A number or length column, copied out to an aligned typed array (one copy, no per-value reads). */
function column(body: Buffer, at: number, kind: number, n: number): Float64Array | Uint32Array | undefined {
  if (kind === NUMBER) {
    const c = new Float64Array(n);
    new Uint8Array(c.buffer).set(body.subarray(at, at + 8 * n));
    return c;
  }
  if (kind === STRING) {
    const c = new Uint32Array(n);
    new Uint8Array(c.buffer).set(body.subarray(at, at + 4 * n));
    return c;
  }
  return undefined;
}

export function decodeBatch<T>(bytes: Buffer): T[] {
  const body = bytes as CodedBuffer;
  if (isSerializedValue(body)) return deserializeValue<T[]>(body);
  const arity = body[0] === PAIRS ? 2 : body[0] === TRIPLES ? 3 : 0;
  if (arity === 0 || body.length < headerBytes(arity)) throw new TsparkError("PROTOCOL", `unknown record batch format ${body[0]}`);
  const kinds = Array.from(body.subarray(1, 1 + arity));
  const last = arity - 1;
  const known = (k: number, c: number) => k === STRING || k === NUMBER || (c === last && (k === NULL || k === NUMBER_LIST || k === STRING_LIST));
  if (!kinds.every(known)) throw new TsparkError("PROTOCOL", `corrupt record batch: unknown column kinds ${kinds.join(",")}`);
  const utf16 = body[1 + arity] === UTF16;
  const n = body.readUInt32LE(countAt(arity));
  const corrupt = () => new TsparkError("PROTOCOL", "corrupt record batch: its columns do not add up to its length");
  const columnAt: number[] = [];
  let at = headerBytes(arity);
  for (let c = 0; c < last; c++) {
    columnAt.push(at);
    at += columnBytes(kinds[c]!, n, 0);
  }
  columnAt.push(at);
  const vk = kinds[last]!;
  const counts = vk === NUMBER_LIST || vk === STRING_LIST ? column(body, at, STRING, n) : undefined;
  if (counts && at + 4 * n > body.length) throw corrupt();
  let elements = 0;
  if (counts) for (let i = 0; i < n; i++) elements += counts[i]!;
  const textAt = at + columnBytes(vk, n, elements);
  const unit = utf16 ? 2 : 1;
  if (textAt + body.readUInt32LE(countAt(arity) + 4) * unit !== body.length) throw corrupt();
  // Short strings are cut from the batch's whole text (V8 copies pieces under 13 characters);
  // longer ones are decoded on their own, so that no kept string pins the batch's text.
  const whole = utf16 ? body.ucs2Slice(textAt, body.length) : body.latin1Slice(textAt, body.length);
  let pos = 0;
  const str = (len: number) => {
    const s = len < SHORT_STRING ? whole.substring(pos, pos + len) : utf16 ? body.ucs2Slice(textAt + 2 * pos, textAt + 2 * (pos + len)) : body.latin1Slice(textAt + pos, textAt + pos + len);
    pos += len;
    return s;
  };
  // The columns before the last, decoded whole; the last one makes the records.
  const lead: unknown[][] = [];
  for (let c = 0; c < last; c++) {
    const values = new Array<unknown>(n);
    const data = column(body, columnAt[c]!, kinds[c]!, n)!;
    if (kinds[c] === NUMBER) for (let i = 0; i < n; i++) values[i] = data[i];
    else for (let i = 0; i < n; i++) values[i] = str(data[i]!);
    lead.push(values);
  }
  const out = new Array<T>(n);
  const a = lead[0]!;
  const b = lead[1];
  const data = counts ? undefined : column(body, columnAt[last]!, vk, n); // a list column's counts are read above
  if (b) {
    for (let i = 0; i < n; i++) out[i] = [a[i], b[i], null] as T;
  } else if (vk === NUMBER) {
    for (let i = 0; i < n; i++) out[i] = [a[i], data![i]] as T;
    return out;
  } else if (vk === STRING) {
    for (let i = 0; i < n; i++) out[i] = [a[i], str(data![i]!)] as T;
    return out;
  } else {
    for (let i = 0; i < n; i++) out[i] = [a[i], null] as T;
  }
  // Triples, and lists: the last value set in place.
  if (vk === NUMBER) for (let i = 0; i < n; i++) (out[i] as unknown[])[last] = data![i];
  else if (vk === STRING) for (let i = 0; i < n; i++) (out[i] as unknown[])[last] = str(data![i]!);
  else if (counts) {
    const items = column(body, columnAt[last]! + 4 * n, vk === NUMBER_LIST ? NUMBER : STRING, elements)!;
    let e = 0;
    for (let i = 0; i < n; i++) {
      const list = new Array<number | string>(counts[i]!);
      if (vk === NUMBER_LIST) for (let j = 0; j < list.length; j++) list[j] = items[e++]!;
      else for (let j = 0; j < list.length; j++) list[j] = str(items[e++]!);
      (out[i] as unknown[])[last] = list;
    }
  }
  return out;
}

/**
 * How a batch of records is encoded in shuffle and spill files.
 *
 * Most shuffled records are [key, value] pairs of strings and numbers (word counts, sums by
 * key, joins, sorts). Such a batch is written column by column: numbers as float64, strings
 * as their lengths plus one run of text, as Latin-1 when the whole batch is ASCII and as
 * UTF-16 otherwise (both exact for every JS string, lone surrogates included). A value may
 * also be a plain array of numbers or of strings (groupByKey's groups, spilled combiners):
 * a column of counts, then every list's elements in one column. Every other
 * batch is written by value-codec.ts (V8's structured serialization, keeping the records'
 * classes), recognizable by its first byte, which is never PAIRS.
 *
 * Numbers (float64) and string lengths (u32) are written in the host's byte order, copied
 * as whole typed arrays: shuffle and spill files never leave the machine that wrote them.
 *
 * Chosen by measurement (`npm run bench:serde`, bench/SERDE.md: 4096-record batches of the
 * benchmark's own records, ns per record to encode / decode on a 2-core machine, runs vary
 * by ~30%). [string, number]: V8 166 / 267, JSON 120 / 465, MessagePack (msgpackr) 55-74 /
 * 60-75, this layout 71 / 46 (107 / 70 before its columns were copied as typed arrays);
 * [string, string]: msgpackr 72 / 69, this layout 83 / 55. MessagePack's bytes are 28-56%
 * fewer (variable-length numbers), but it writes strings as UTF-8, which cannot hold a lone
 * surrogate, and turns -0 into 0; this layout is exact and decodes fastest, and shuffle
 * files mostly stay in the page cache. Splitting the text on a separator decodes fast too,
 * but V8 makes pieces of 13+ characters slices of the batch's text, so a few kept keys
 * could pin whole batches in memory: long strings are decoded on their own.
 */
import { TsparkError } from "../errors.js";
import { deserializeValue, isSerializedValue, serializeValue } from "./value-codec.js";

const PAIRS = 1;
const STRING = 1;
const NUMBER = 2;
const NULL = 3;
/** A value that is a list of numbers: a count column, then every list's numbers in one float64 column. */
const NUMBER_LIST = 4;
/** A value that is a list of strings: a count column, then every string's length (the text joins the batch's run). */
const STRING_LIST = 5;
/** An empty list, which either list column holds (the kind of a column of empty lists only: NUMBER_LIST). */
const EMPTY_LIST = 6;
const LATIN1 = 0;
const UTF16 = 1;
const HEADER = 12; // tag, key kind, value kind, text encoding, u32 count, u32 text length (code units)
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
 * The kind shared by every value of a column, or 0 when they differ or are not plain. A list
 * (a plain Array, such as groupByKey's groups) is judged by its first element here; the
 * encoder checks the rest.
 */
function columnKind(v: unknown): number {
  if (typeof v === "string") return STRING;
  if (typeof v === "number") return NUMBER;
  if (v === null) return NULL;
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return 0;
  if (v.length === 0) return EMPTY_LIST;
  const first: unknown = v[0];
  return typeof first === "number" ? NUMBER_LIST : typeof first === "string" ? STRING_LIST : 0;
}

/** Whether every element of `list` is of the type its first is (no holes). */
function uniform(list: unknown[], type: "number" | "string"): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== type) return false;
  return true;
}

/** Whether `k` is a list's kind. */
function isList(k: number): boolean {
  return k === NUMBER_LIST || k === STRING_LIST || k === EMPTY_LIST;
}

/**
 * Most text one column batch carries (code units). The joined run must stay a valid V8
 * string (under 2^29 units) with room to spare; a batch of larger strings (4096 whole
 * files of 150 KB, say) is V8-serialized instead, which has no such limit.
 */
export const MAX_COLUMN_TEXT = 2 ** 27;

/** `maxText` is MAX_COLUMN_TEXT but in tests. */
export function encodeBatch(records: unknown[], maxText = MAX_COLUMN_TEXT): Buffer {
  const n = records.length;
  if (n === 0) return serializeValue(records, RECORDS);
  const first = records[0];
  if (!Array.isArray(first) || first.length !== 2) return serializeValue(records, RECORDS);
  const kk = columnKind(first[0]);
  let vk = columnKind(first[1]);
  if (kk === 0 || kk === NULL || isList(kk) || vk === 0) return serializeValue(records, RECORDS);
  let elements = 0; // the lists' elements, all together
  for (let i = 0; i < n; i++) {
    const r = records[i] as unknown[];
    if (!Array.isArray(r) || r.length !== 2 || columnKind(r[0]) !== kk) return serializeValue(records, RECORDS);
    const k = columnKind(r[1]);
    if (k === vk || (k === EMPTY_LIST && isList(vk))) {
      if (k === EMPTY_LIST || k === NUMBER || k === STRING || k === NULL) continue;
    } else if (vk === EMPTY_LIST && isList(k)) {
      vk = k;
    } else {
      return serializeValue(records, RECORDS);
    }
    const list = r[1] as unknown[];
    if (!uniform(list, k === NUMBER_LIST ? "number" : "string")) return serializeValue(records, RECORDS);
    elements += list.length;
  }
  if (vk === EMPTY_LIST) vk = NUMBER_LIST;
  const strings: string[] = [];
  let units = 0;
  const addText = (str: string) => {
    units += str.length;
    strings.push(str);
  };
  if (kk === STRING) for (let i = 0; i < n; i++) addText((records[i] as string[])[0]!);
  if (vk === STRING) for (let i = 0; i < n; i++) addText((records[i] as string[])[1]!);
  if (vk === STRING_LIST) for (let i = 0; i < n; i++) for (const str of (records[i] as [unknown, string[]])[1]) addText(str);
  if (units > maxText) return serializeValue(records, RECORDS);
  const text = strings.join("");
  const enc = Buffer.byteLength(text, "utf8") === text.length ? LATIN1 : UTF16;
  const textAt = HEADER + columnBytes(kk, n, 0) + columnBytes(vk, n, elements);
  const buf = Buffer.allocUnsafe(textAt + text.length * (enc === LATIN1 ? 1 : 2)) as CodedBuffer;
  buf[0] = PAIRS;
  buf[1] = kk;
  buf[2] = vk;
  buf[3] = enc;
  buf.writeUInt32LE(n, 4);
  buf.writeUInt32LE(text.length, 8);
  let o = HEADER;
  const put = (column: Float64Array | Uint32Array) => {
    buf.set(new Uint8Array(column.buffer), o);
    o += column.byteLength;
  };
  for (const [col, kind] of [[0, kk], [1, vk]] as const) {
    if (kind === NUMBER) {
      const column = new Float64Array(n);
      for (let i = 0; i < n; i++) column[i] = (records[i] as number[])[col]!;
      put(column);
    } else if (kind === STRING) {
      const column = new Uint32Array(n);
      for (let i = 0; i < n; i++) column[i] = (records[i] as string[])[col]!.length;
      put(column);
    } else if (kind === NUMBER_LIST || kind === STRING_LIST) {
      const counts = new Uint32Array(n);
      const items = kind === NUMBER_LIST ? new Float64Array(elements) : new Uint32Array(elements);
      let e = 0;
      for (let i = 0; i < n; i++) {
        const list = (records[i] as [unknown, Array<number | string>])[1];
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
  return buf;
}

/** The bytes of a column of `kind` for `n` records whose lists hold `elements` in all. */
function columnBytes(kind: number, n: number, elements: number): number {
  if (kind === NUMBER) return 8 * n;
  if (kind === STRING) return 4 * n;
  if (kind === NUMBER_LIST) return 4 * n + 8 * elements;
  if (kind === STRING_LIST) return 4 * n + 4 * elements;
  return 0;
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
  if (body.length < HEADER || body[0] !== PAIRS) throw new TsparkError("PROTOCOL", `unknown record batch format ${body[0]}`);
  const kk = body[1]!;
  const vk = body[2]!;
  const utf16 = body[3] === UTF16;
  const n = body.readUInt32LE(4);
  const corrupt = () => new TsparkError("PROTOCOL", "corrupt record batch: its columns do not add up to its length");
  const keyCol = HEADER;
  const valueCol = HEADER + columnBytes(kk, n, 0);
  const counts = vk === NUMBER_LIST || vk === STRING_LIST ? column(body, valueCol, STRING, n) : undefined;
  if (counts && valueCol + 4 * n > body.length) throw corrupt();
  let elements = 0;
  if (counts) for (let i = 0; i < n; i++) elements += counts[i]!;
  const textAt = valueCol + columnBytes(vk, n, elements);
  const unit = utf16 ? 2 : 1;
  if (textAt + body.readUInt32LE(8) * unit !== body.length) throw corrupt();
  // Short strings are cut from the batch's whole text (V8 copies pieces under 13 characters);
  // longer ones are decoded on their own, so that no kept string pins the batch's text.
  const whole = utf16 ? body.ucs2Slice(textAt, body.length) : body.latin1Slice(textAt, body.length);
  let pos = 0;
  const str = (len: number) => {
    const s = len < SHORT_STRING ? whole.substring(pos, pos + len) : utf16 ? body.ucs2Slice(textAt + 2 * pos, textAt + 2 * (pos + len)) : body.latin1Slice(textAt + pos, textAt + pos + len);
    pos += len;
    return s;
  };
  const out = new Array<T>(n);
  const keys = new Array<unknown>(n);
  const keyColumn = column(body, keyCol, kk, n);
  if (kk === NUMBER) for (let i = 0; i < n; i++) keys[i] = keyColumn![i];
  else for (let i = 0; i < n; i++) keys[i] = str(keyColumn![i]!);
  if (counts) {
    const items = column(body, valueCol + 4 * n, vk === NUMBER_LIST ? NUMBER : STRING, elements)!;
    let e = 0;
    for (let i = 0; i < n; i++) {
      const list = new Array<number | string>(counts[i]!);
      if (vk === NUMBER_LIST) for (let j = 0; j < list.length; j++) list[j] = items[e++]!;
      else for (let j = 0; j < list.length; j++) list[j] = str(items[e++]!);
      out[i] = [keys[i], list] as T;
    }
    return out;
  }
  const valueColumn = column(body, valueCol, vk, n);
  if (vk === NUMBER) for (let i = 0; i < n; i++) out[i] = [keys[i], valueColumn![i]] as T;
  else if (vk === STRING) for (let i = 0; i < n; i++) out[i] = [keys[i], str(valueColumn![i]!)] as T;
  else for (let i = 0; i < n; i++) out[i] = [keys[i], null] as T;
  return out;
}

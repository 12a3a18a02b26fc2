/**
 * The Py4J wire grammar, as Spark's gateway (py4j's GatewayServer) speaks it: commands are
 * UTF-8 lines ending with the line `e`; each argument and each answer is one line, a type
 * letter then the value. No maintained JavaScript client exists, so tspark has its own; this
 * module is its pure half (no sockets), unit-tested without a JVM.
 */

/** A reference to an object living in the JVM (pinned there until released). */
export interface JavaRef {
  readonly javaId: string;
}

/** An argument whose Java type is chosen explicitly (a JS number alone says int or double by its value). */
export class TypedArg {
  private constructor(readonly part: string) {}

  /** A Java `long` (e.g. PythonPartitioner's id). */
  static long(value: number | bigint): TypedArg {
    if (typeof value === "number" && !Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer a long can hold exactly`);
    return new TypedArg(`L${value}`);
  }

  /** A Java `double`, even for an integral value. */
  static double(value: number): TypedArg {
    return new TypedArg(`d${encodeDouble(value)}`);
  }
}

export type JavaArg = null | undefined | boolean | number | bigint | string | Uint8Array | JavaRef | TypedArg;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Backslash, CR and LF become two-character escapes, so a string stays on one line. */
export function escapeText(s: string): string {
  return s.replace(/[\\\r\n]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : "\\r"));
}

/** The inverse of escapeText (an escaped backslash is read before the letter after it). */
export function unescapeText(s: string): string {
  return s.replace(/\\([\\nr])/g, (_, c: string) => (c === "\\" ? "\\" : c === "n" ? "\n" : "\r"));
}

function encodeDouble(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return String(v);
}

/** One argument line (without its newline). */
export function encodeArg(v: JavaArg): string {
  if (v === null || v === undefined) return "n";
  if (v instanceof TypedArg) return v.part;
  switch (typeof v) {
    case "boolean":
      return `b${v}`;
    case "bigint":
      return `L${v}`;
    case "number":
      // An integer a double holds exactly is an int or a long; any other number is a double.
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return v >= INT_MIN && v <= INT_MAX ? `i${v}` : `L${v}`;
      return `d${encodeDouble(v)}`;
    case "string":
      return `s${escapeText(v)}`;
  }
  if (v instanceof Uint8Array) return `j${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")}`;
  if (typeof (v as JavaRef).javaId === "string") return `r${(v as JavaRef).javaId}`;
  throw new TypeError(`cannot pass ${Object.prototype.toString.call(v)} to the JVM`);
}

/** The kinds of JVM reference an answer can carry (a plain object, or a collection py4j names). */
export type RefKind = "object" | "list" | "map" | "set" | "array" | "iterator";

const REF_KINDS: Record<string, RefKind> = { r: "object", l: "list", a: "map", h: "set", t: "array", g: "iterator" };

/** A decoded value: what the JVM returned. Java longs come back as bigint, exactly. */
export type ReturnValue =
  | { kind: "void" }
  | { kind: "value"; value: null | boolean | number | bigint | string | Buffer }
  | { kind: "ref"; refKind: RefKind; id: string };

/** A decoded answer line: success, or the JVM's error (a Throwable's id, or a message). */
export type Answer =
  | { ok: true; value: ReturnValue }
  | { ok: false; fatal: boolean; throwableId?: string; message?: string };

/** Decodes a value after its status letter, e.g. `i7`, `ro12`, `sa\nb`. */
export function decodeValue(text: string): ReturnValue {
  const type = text[0];
  const body = text.slice(1);
  switch (type) {
    case "v":
      return { kind: "void" };
    case "n":
      return { kind: "value", value: null };
    case "b":
      return { kind: "value", value: body.toLowerCase() === "true" };
    case "i":
      return { kind: "value", value: Number.parseInt(body, 10) };
    case "L":
      return { kind: "value", value: BigInt(body) };
    case "d":
      return { kind: "value", value: Number(body) };
    case "D":
      return { kind: "value", value: body }; // a BigDecimal, as its exact text
    case "s":
      return { kind: "value", value: unescapeText(body) };
    case "j":
      return { kind: "value", value: Buffer.from(body, "base64") };
  }
  const refKind = type === undefined ? undefined : REF_KINDS[type];
  if (refKind) return { kind: "ref", refKind, id: body };
  throw new Error(`unknown Py4J value type in ${JSON.stringify(text.slice(0, 40))}`);
}

/** Decodes one answer line: `!yro0`, `!xro1` (a Throwable), `!xs<message>`, `!z...` (fatal). */
export function decodeAnswer(line: string): Answer {
  const s = line.startsWith("!") ? line.slice(1) : line;
  const status = s[0];
  if (status === "y") return { ok: true, value: decodeValue(s.slice(1)) };
  const fatal = status === "z";
  const rest = status === "x" || fatal ? s.slice(1) : s;
  if (rest.startsWith("r")) return { ok: false, fatal, throwableId: rest.slice(1) };
  if (rest.startsWith("s")) return { ok: false, fatal, message: unescapeText(rest.slice(1)) };
  return { ok: false, fatal, message: rest.length > 0 ? rest : undefined };
}

/** A whole command: its lines, each argument encoded, then `e`. */
export function encodeCommand(head: string[], args: readonly JavaArg[] = []): string {
  return [...head, ...args.map(encodeArg), "e", ""].join("\n");
}

/** Calling `method` on an object, or on a class's statics (`staticTarget`). */
export function callCommand(targetId: string, method: string, args: readonly JavaArg[]): string {
  return encodeCommand(["c", targetId, method], args);
}

/** The target id of a class's static members. */
export function staticTarget(className: string): string {
  return `z:${className}`;
}

export function constructCommand(className: string, args: readonly JavaArg[]): string {
  return encodeCommand(["i", className], args);
}

export function fieldCommand(targetId: string, field: string): string {
  return encodeCommand(["f", "g", targetId, field]);
}

/** An element of a Java array. */
export function arrayItemCommand(arrayId: string, index: number): string {
  return encodeCommand(["a", "g", arrayId], [index]);
}

/** Lets the JVM collect an object the client no longer uses. */
export function releaseCommand(id: string): string {
  return encodeCommand(["m", "d", id]);
}

/** The stack trace of a Throwable the JVM answered with. */
export function exceptionTextCommand(throwableId: string): string {
  return encodeCommand(["p", `r${throwableId}`]);
}

/** The first command on every connection: the gateway's secret. */
export function authCommand(secret: string): string {
  return `A\n${secret}\n`;
}

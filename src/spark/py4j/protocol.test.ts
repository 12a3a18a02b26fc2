import { test } from "node:test";
import assert from "node:assert/strict";
import {
  TypedArg, escapeText, unescapeText, encodeArg, decodeAnswer, decodeValue, callCommand, staticTarget, constructCommand, exceptionTextCommand, releaseCommand, authCommand, arrayItemCommand,
} from "./protocol.js";

test("strings stay on one line: backslash, LF and CR are escaped, and read back exactly", () => {
  assert.equal(escapeText("a\nb\\c\rd"), "a\\nb\\\\c\\rd");
  for (const s of ["", "plain", "a\nb", "back\\slash", "\\n is not a newline", "\\\\n", "tab\tstays", "ünïcødé 🚀", "\r\n\r\n", "ends with \\"]) {
    assert.equal(unescapeText(escapeText(s)), s);
    assert.ok(!escapeText(s).includes("\n"));
  }
});

test("arguments: a number is an int, a long or a double by its value; other types by their letter", () => {
  assert.equal(encodeArg(null), "n");
  assert.equal(encodeArg(undefined), "n");
  assert.equal(encodeArg(true), "btrue");
  assert.equal(encodeArg(7), "i7");
  assert.equal(encodeArg(-(2 ** 31)), `i${-(2 ** 31)}`);
  assert.equal(encodeArg(2 ** 31), `L${2 ** 31}`);
  assert.equal(encodeArg(2 ** 53 - 1), `L${2 ** 53 - 1}`);
  assert.equal(encodeArg(2 ** 60), `d${2 ** 60}`); // not exact as an integer: a double
  assert.equal(encodeArg(1.5), "d1.5");
  assert.equal(encodeArg(-0), "d0");
  assert.equal(encodeArg(NaN), "dNaN");
  assert.equal(encodeArg(-Infinity), "d-Infinity");
  assert.equal(encodeArg(9007199254740993n), "L9007199254740993");
  assert.equal(encodeArg("a\nb"), "sa\\nb");
  assert.equal(encodeArg(new Uint8Array([0, 1, 2, 255])), "jAAEC/w==");
  assert.equal(encodeArg({ javaId: "o12" }), "ro12");
  assert.equal(encodeArg(TypedArg.long(3)), "L3");
  assert.equal(encodeArg(TypedArg.double(3)), "d3");
  assert.throws(() => TypedArg.long(1.5), RangeError);
  assert.throws(() => encodeArg({} as never), /cannot pass \[object Object\] to the JVM/);
});

test("commands: lines ending with e, statics addressed as z:<class>", () => {
  assert.equal(callCommand("o3", "set", ["k", 1]), "c\no3\nset\nsk\ni1\ne\n");
  assert.equal(callCommand(staticTarget("java.lang.System"), "getProperty", ["java.version"]), "c\nz:java.lang.System\ngetProperty\nsjava.version\ne\n");
  assert.equal(constructCommand("org.apache.spark.SparkConf", [true]), "i\norg.apache.spark.SparkConf\nbtrue\ne\n");
  assert.equal(exceptionTextCommand("o1"), "p\nro1\ne\n");
  assert.equal(releaseCommand("o1"), "m\nd\no1\ne\n");
  assert.equal(arrayItemCommand("o4", 1), "a\ng\no4\ni1\ne\n");
  assert.equal(authCommand("s3cret"), "A\ns3cret\n");
});

// Answers as Spark 4.3's gateway sent them (recorded from a real JVM).
test("answers: values, references, and the two forms of error", () => {
  assert.deepEqual(decodeAnswer("!yv"), { ok: true, value: { kind: "void" } });
  assert.deepEqual(decodeAnswer("!yro0"), { ok: true, value: { kind: "ref", refKind: "object", id: "o0" } });
  assert.deepEqual(decodeAnswer("!ylo3"), { ok: true, value: { kind: "ref", refKind: "list", id: "o3" } });
  assert.deepEqual(decodeAnswer("!ys17.0.15"), { ok: true, value: { kind: "value", value: "17.0.15" } });
  assert.deepEqual(decodeAnswer("!ysa\\nb\\\\c\\rd"), { ok: true, value: { kind: "value", value: "a\nb\\c\rd" } });
  assert.deepEqual(decodeAnswer("!yi7"), { ok: true, value: { kind: "value", value: 7 } });
  assert.deepEqual(decodeAnswer("!yL9007199254740993"), { ok: true, value: { kind: "value", value: 9007199254740993n } });
  assert.ok(Number.isNaN((decodeAnswer("!ydNaN") as { value: { value: number } }).value.value));
  assert.deepEqual(decodeAnswer("!ybfalse"), { ok: true, value: { kind: "value", value: false } });
  assert.deepEqual(decodeAnswer("!yn"), { ok: true, value: { kind: "value", value: null } });
  assert.deepEqual(decodeAnswer("!xro1"), { ok: false, fatal: false, throwableId: "o1" });
  const noMethod = decodeAnswer("!xspy4j.Py4JException: Method noSuch([]) does not exist\\n\tat py4j.Gateway.invoke(Gateway.java:276)\\n");
  assert.equal(noMethod.ok, false);
  assert.match((noMethod as { message: string }).message, /^py4j.Py4JException: Method noSuch\(\[\]\) does not exist\n\tat py4j/);
  assert.equal((decodeAnswer("!z") as { fatal: boolean }).fatal, true);
  assert.deepEqual(decodeValue("jAAEC/w=="), { kind: "value", value: Buffer.from([0, 1, 2, 255]) });
  assert.throws(() => decodeValue("?what"), /unknown Py4J value type/);
});

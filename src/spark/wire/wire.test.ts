import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import { setImmediate as tick } from "node:timers/promises";
import { describe, it } from "node:test";

import { SpecialLength, WireEOFError, WireProtocolError, WireReader, WireWriter } from "./wire.js";

/** A Writable collecting every chunk it is handed. */
function collector(): { sink: Writable; chunks: Buffer[]; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { sink, chunks, bytes: () => Buffer.concat(chunks) };
}

async function encode(fill: (w: WireWriter) => void): Promise<Buffer> {
  const c = collector();
  const w = new WireWriter(c.sink);
  fill(w);
  await w.flush();
  return c.bytes();
}

/** A reader fed the chunks one by one, each after a turn of the event loop (so reads really wait). */
function feed(chunks: Buffer[]): WireReader {
  const s = new PassThrough();
  const r = new WireReader(s);
  void (async () => {
    for (const c of chunks) {
      await tick();
      s.write(c);
    }
    await tick();
    s.end();
  })();
  return r;
}

function splitAt(b: Buffer, ...at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const i of at) {
    out.push(b.subarray(prev, i));
    prev = i;
  }
  out.push(b.subarray(prev));
  return out.filter((c) => c.length > 0);
}

function bytesOf(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

/** Reads the whole data section with readFrames, returning the frames and the specials seen, in order. */
async function drainFrames(r: WireReader, max = 1000): Promise<Array<Buffer | null | number>> {
  const out: Array<Buffer | null | number> = [];
  for (;;) {
    const got = await r.readFrames(max);
    if (typeof got === "number") {
      out.push(got);
      if (got === SpecialLength.END_OF_STREAM) return out;
    } else {
      assert.ok(got.length >= 1 && got.length <= max);
      for (const f of got) out.push(f === null ? null : Buffer.from(f));
    }
  }
}

const STRINGS = ["", "a", "b\nc", "ü", "日本語", "emoji 🎉 end", "nul\0byte", "x".repeat(300)];

describe("WireWriter / WireReader scalars", () => {
  const values = async (): Promise<Buffer> =>
    encode((w) => {
      w.int32(0).int32(-1).int32(2 ** 31 - 1).int32(-(2 ** 31));
      w.int64(0n).int64(-1).int64(2 ** 53 - 1).int64(-(2 ** 53 - 1)).int64(2n ** 63n - 1n).int64(-(2n ** 63n));
      w.bool(true).bool(false);
      for (const s of STRINGS) w.string(s);
    });

  async function check(r: WireReader): Promise<void> {
    assert.deepEqual([await r.readInt32(), await r.readInt32(), await r.readInt32(), await r.readInt32()], [0, -1, 2 ** 31 - 1, -(2 ** 31)]);
    const longs = [];
    for (let i = 0; i < 6; i++) longs.push(await r.readInt64());
    assert.deepEqual(longs, [0n, -1n, 2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 63n - 1n, -(2n ** 63n)]);
    assert.equal(await r.readBool(), true);
    assert.equal(await r.readBool(), false);
    for (const s of STRINGS) assert.equal(await r.readString(), s);
    assert.ok(r.atEnd || r.buffered === 0);
  }

  it("big-endian, Java DataOutputStream layout", async () => {
    const b = await encode((w) => w.int32(1).int64(-2).bool(true).string("ü"));
    assert.equal(b.toString("hex"), "00000001" + "fffffffffffffffe" + "01" + "00000002c3bc");
  });

  it("round-trips from one buffer", async () => {
    await check(WireReader.fromBuffer(await values()));
  });

  it("round-trips split at every byte offset", async () => {
    const b = await values();
    for (let i = 1; i < b.length; i++) await check(feed(splitAt(b, i)));
  });

  it("round-trips one byte at a time", async () => {
    await check(feed(bytesOf(await values(), 1)));
  });

  it("strings: UTF-8 byte length, not UTF-16 length; lone surrogates become U+FFFD", async () => {
    const b = await encode((w) => w.string("🎉").string("\ud800"));
    assert.equal(b.readInt32BE(0), 4);
    assert.equal(b.subarray(4, 8).toString("hex"), "f09f8e89");
    assert.equal(b.readInt32BE(8), 3);
    assert.equal(b.subarray(12).toString("hex"), "efbfbd");
    const r = WireReader.fromBuffer(b);
    assert.equal(await r.readString(), "🎉");
    assert.equal(await r.readString(), "\ufffd");
  });

  it("strings around and above the in-place encoding limit", async () => {
    const ss = ["日".repeat(21843), "日".repeat(21844), "日".repeat(21845), "é".repeat(100_000), "a".repeat(70_000)];
    const b = await encode((w) => {
      w.int32(7);
      for (const s of ss) w.string(s);
    });
    for (const r of [WireReader.fromBuffer(b), feed(bytesOf(b, 999))]) {
      assert.equal(await r.readInt32(), 7);
      for (const s of ss) assert.equal(await r.readString(), s);
    }
  });

  it("rejects values out of range", () => {
    const w = new WireWriter(collector().sink);
    assert.throws(() => w.int32(2 ** 31), RangeError);
    assert.throws(() => w.int32(1.5), RangeError);
    assert.throws(() => w.int64(2 ** 53), RangeError);
  });

  it("a negative string length is a protocol error", async () => {
    const r = WireReader.fromBuffer(Buffer.from("ffffffff", "hex"));
    await assert.rejects(r.readString(), WireProtocolError);
  });

  it("end of stream in the middle of a value is a WireEOFError", async () => {
    const b = await encode((w) => w.frame(Buffer.from("hello")));
    await assert.rejects(feed([b.subarray(0, 6)]).readFrame(), WireEOFError);
    await assert.rejects(WireReader.fromBuffer(b.subarray(0, 3)).readInt32(), WireEOFError);
    const r = WireReader.fromBuffer(Buffer.alloc(0));
    await assert.rejects(r.readBool(), WireEOFError);
  });

  it("a source error rejects the pending read with that error", async () => {
    const s = new PassThrough();
    const r = new WireReader(s);
    const p = r.readInt64();
    s.write(Buffer.alloc(3));
    s.destroy(new Error("boom"));
    await assert.rejects(p, /boom/);
  });
});

describe("frames", () => {
  const big = Buffer.alloc(70_000 + 3, 0);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
  const section = async (): Promise<Buffer> =>
    encode((w) => {
      w.frame(Buffer.from("a")).frame(Buffer.alloc(0)).int32(SpecialLength.NULL).frame(Buffer.from("b\nc", "utf8"));
      w.frame(Buffer.from("ü", "utf8")).frame(big).frame(Buffer.from("after"));
      w.int32(SpecialLength.END_OF_DATA_SECTION).int32(SpecialLength.END_OF_STREAM);
    });
  const expected: Array<Buffer | null | number> = [
    Buffer.from("a"),
    Buffer.alloc(0),
    null,
    Buffer.from("b\nc"),
    Buffer.from("ü"),
    big,
    Buffer.from("after"),
    SpecialLength.END_OF_DATA_SECTION,
    SpecialLength.END_OF_STREAM,
  ];

  it("readFrame returns bytes or the special length", async () => {
    const r = WireReader.fromBuffer(await section());
    const got: Array<Buffer | number> = [];
    for (;;) {
      const f = await r.readFrame();
      got.push(f);
      if (f === SpecialLength.END_OF_STREAM) break;
    }
    assert.deepEqual(got, expected.map((e) => (e === null ? SpecialLength.NULL : e)));
    assert.ok(r.atEnd);
  });

  it("readFrames from one buffer: frames first, then -1 on its own, then -4", async () => {
    const r = WireReader.fromBuffer(await section());
    const first = await r.readFrames(1000);
    assert.ok(Array.isArray(first));
    assert.equal(first.length, 7);
    assert.equal(await r.readFrames(1000), SpecialLength.END_OF_DATA_SECTION);
    assert.equal(await r.readFrames(1000), SpecialLength.END_OF_STREAM);
  });

  it("readFrames honours max", async () => {
    const r = WireReader.fromBuffer(await section());
    const sizes: number[] = [];
    for (;;) {
      const got = await r.readFrames(2);
      if (typeof got === "number") break;
      sizes.push(got.length);
    }
    assert.deepEqual(sizes, [2, 2, 2, 1]);
  });

  it("readFrames split at every byte offset of the small frames and around the big one", async () => {
    const b = await section();
    const bigStart = b.indexOf(big.subarray(0, 16));
    const points = new Set<number>();
    for (let i = 1; i < bigStart + 8; i++) points.add(i);
    for (let i = bigStart + big.length - 8; i < b.length; i++) points.add(i);
    for (const i of [bigStart + 1000, bigStart + 65_536, bigStart + 65_537]) points.add(i);
    for (const i of points) assert.deepEqual(await drainFrames(feed(splitAt(b, i))), expected, `split at ${i}`);
  });

  it("readFrames split at every pair of offsets in the small frames", async () => {
    const b = await section();
    const bigStart = b.indexOf(big.subarray(0, 16));
    for (let i = 1; i < bigStart; i++) {
      for (let j = i + 1; j < bigStart + 2; j++) {
        assert.deepEqual(await drainFrames(feed(splitAt(b, i, j)), 3), expected, `split at ${i},${j}`);
      }
    }
  });

  it("readFrames one byte at a time, and in 64 KiB chunks", async () => {
    const b = await section();
    assert.deepEqual(await drainFrames(feed(bytesOf(b, 1))), expected);
    assert.deepEqual(await drainFrames(feed(bytesOf(b, 65_536))), expected);
  });

  it("many small frames come back in few batches without a Promise per frame", async () => {
    const n = 100_000;
    const b = await encode((w) => {
      for (let i = 0; i < n; i++) w.frame(Buffer.from(`line ${i}`));
      w.int32(-1).int32(-4);
    });
    const r = WireReader.fromBuffer(b);
    let count = 0;
    let calls = 0;
    for (;;) {
      const got = await r.readFrames(10_000);
      calls++;
      if (typeof got === "number") break;
      for (const f of got) assert.equal(f?.toString(), `line ${count++}`);
    }
    assert.equal(count, n);
    assert.equal(calls, n / 10_000 + 1);
  });

  it("a reader pauses a fast source and resumes it when read", async () => {
    const s = new PassThrough();
    const r = new WireReader(s);
    const frame = Buffer.alloc(100_000, 1);
    const b = await encode((w) => {
      for (let i = 0; i < 30; i++) w.frame(frame);
      w.int32(-1);
    });
    s.write(b);
    await tick();
    assert.ok(s.isPaused());
    let frames = 0;
    for (;;) {
      const got = await r.readFrames(5);
      if (typeof got === "number") break;
      frames += got.length;
    }
    assert.equal(frames, 30);
  });
});

describe("WireWriter buffering", () => {
  it("coalesces small writes into ~64 KiB chunks", async () => {
    const c = collector();
    const w = new WireWriter(c.sink);
    for (let i = 0; i < 50_000; i++) w.int32(i);
    await w.flush();
    assert.equal(c.bytes().length, 200_000);
    assert.equal(c.chunks.length, Math.ceil(200_000 / 65_536));
    assert.ok(c.chunks.every((ch) => ch.length <= 65_536));
    const r = WireReader.fromBuffer(c.bytes());
    for (let i = 0; i < 50_000; i++) assert.equal(await r.readInt32(), i);
  });

  it("passes big frames through in order with the bytes around them", async () => {
    const c = collector();
    const w = new WireWriter(c.sink);
    const big = Buffer.alloc(200_000, 9);
    w.int32(1).frame(big).int32(2);
    await w.flush();
    const r = WireReader.fromBuffer(c.bytes());
    assert.equal(await r.readInt32(), 1);
    assert.deepEqual(await r.readFrame(), big);
    assert.equal(await r.readInt32(), 2);
  });

  it("flush waits for a slow stream to drain", async () => {
    const got: Buffer[] = [];
    let inFlight = 0;
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        inFlight++;
        setTimeout(() => {
          got.push(Buffer.from(chunk));
          inFlight--;
          cb();
        }, 2);
      },
    });
    const w = new WireWriter(sink);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 30_000; i++) w.int32(round * 30_000 + i);
      assert.ok(w.backpressured || w.pending > 0);
      await w.flush();
      assert.equal(sink.writableNeedDrain, false);
      assert.ok(inFlight <= 1);
    }
    await new Promise<void>((resolve) => sink.end(resolve));
    const r = WireReader.fromBuffer(Buffer.concat(got));
    for (let i = 0; i < 150_000; i++) assert.equal(await r.readInt32(), i);
  });

  it("flush rejects when the stream fails", async () => {
    const sink = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error("broken pipe"));
      },
    });
    const w = new WireWriter(sink);
    w.int32(1);
    await assert.rejects(
      (async () => {
        await w.flush();
        await tick();
        await w.flush();
      })(),
      /broken pipe/,
    );
  });
});

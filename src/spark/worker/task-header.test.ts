import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import {
  answerEndOfStream,
  readTaskEndAfterMarker,
  readTaskHeader,
  TIMING_LONGS,
  writeTaskEnd,
  writeTaskError,
  writeTaskHeader,
  type SparkMinor,
  type TaskHeader,
} from "./task-header.js";
import { SpecialLength, WireProtocolError, WireReader, WireWriter } from "../wire/wire.js";

// dist/spark/worker → the repository root.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "spark-transcripts");
const VERSIONS: Array<[string, SparkMinor]> = [
  ["3.5.9", "3.5"],
  ["4.3.0", "4.3"],
];
const JOBS = ["parallelize-strings", "textfile-len", "broadcast-localprop"] as const;
type Job = (typeof JOBS)[number];

const LINES = readFileSync(join(FIXTURES, "lines.txt"), "utf8").split("\n").slice(0, -1);

function transcript(version: string, job: Job): { j2w: Buffer; w2j: Buffer } {
  const base = join(FIXTURES, version, job);
  return { j2w: readFileSync(`${base}.jvm-to-worker.bin`), w2j: readFileSync(`${base}.worker-to-jvm.bin`) };
}

/** Pickle's SHORT_BINUNICODE opcode for s: how a str sits inside PySpark's pickled batches. */
function pickledStr(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from([0x8c, b.length]), b]);
}

async function drainFrames(r: WireReader): Promise<Array<Buffer | null | number>> {
  const out: Array<Buffer | null | number> = [];
  for (;;) {
    const got = await r.readFrames(64);
    if (typeof got === "number") {
      out.push(got);
      if (got !== SpecialLength.END_OF_DATA_SECTION) return out;
    } else out.push(...got);
  }
}

describe("task header and trailer, replayed from real Spark transcripts", () => {
  for (const [version, minor] of VERSIONS) {
    for (const job of JOBS) {
      describe(`Spark ${version}: ${job}`, () => {
        const { j2w, w2j } = transcript(version, job);

        it("JVM→worker: 'ok', the header, the records, -1, -4", async () => {
          const r = WireReader.fromBuffer(j2w);
          assert.equal(await r.readString(), "ok");
          const headerStart = r.position;
          const h = await readTaskHeader(r, minor);
          const headerEnd = r.position;

          assert.equal(h.partitionIndex, 0);
          assert.equal(h.pythonVer, "3.11");
          assert.equal(h.isBarrier, false);
          assert.equal(h.partitionId, 0);
          assert.equal(h.attemptNumber, 0);
          assert.equal(h.cpus, 1);
          assert.ok(h.stageId >= 0 && h.taskAttemptId >= 0n);
          assert.equal(h.resources.size, 0);
          assert.deepEqual(h.includes, []);
          assert.match(h.sparkFilesDir, /userFiles-/);
          assert.equal(h.broadcastServer, null);
          assert.equal(h.evalType, 0);
          assert.equal(h.runnerConf.size, 0);
          assert.equal(h.evalConf.size, 0);
          assert.match(h.localProperties.get("callSite.short") ?? "", /^collect at /);
          if (minor === "3.5") {
            assert.equal(h.barrierConnInfo, 0);
            assert.equal(h.barrierSecret, "");
            assert.equal(h.cpuAmount, undefined);
            assert.equal(h.taskContextJson, undefined);
          } else {
            assert.equal(h.barrierConnInfo, -1);
            assert.equal(h.barrierSecret.length, 64);
            assert.equal(h.cpuAmount, "1");
            assert.deepEqual(Object.keys(JSON.parse(h.taskContextJson!) as object).sort(), [
              "attemptNumber", "connInfo", "cpuAmount", "cpus", "isBarrier", "localProperties", "partitionId", "resources", "secret", "stageId", "taskAttemptId",
            ]);
            // The init message is -8, its length, then exactly the header.
            assert.equal(j2w.readInt32BE(headerStart), SpecialLength.START_OF_INIT_MESSAGE);
            assert.equal(j2w.readInt32BE(headerStart + 4), headerEnd - headerStart - 8);
          }
          // The command is the last field: a frame ending where the header ends (PySpark's pickle, protocol 5).
          assert.equal(j2w.readInt32BE(headerEnd - h.command.length - 4), h.command.length);
          assert.ok(h.command.length > 100);
          assert.deepEqual([...h.command.subarray(0, 2)], [0x80, 0x05]);
          assert.equal(h.command[h.command.length - 1], 0x2e);

          if (job === "broadcast-localprop") {
            assert.equal(h.localProperties.get("k"), "v");
            assert.equal(h.broadcasts.length, 1);
            const b = h.broadcasts[0]!;
            assert.ok("id" in b && b.id >= 0n);
            assert.ok("path" in b && b.path !== undefined && b.path.startsWith("/"));
          } else {
            assert.equal(h.localProperties.has("k"), false);
            assert.deepEqual(h.broadcasts, []);
          }

          const data = await drainFrames(r);
          assert.deepEqual(data.slice(-2), [SpecialLength.END_OF_DATA_SECTION, SpecialLength.END_OF_STREAM]);
          assert.ok(r.atEnd);
          const frames = data.slice(0, -2) as Buffer[];
          if (job === "textfile-len") {
            assert.deepEqual(frames.map((f) => f.toString("utf8")), LINES);
          } else {
            // parallelize: one pickled batch holding every element.
            assert.equal(frames.length, 1);
            const batch = frames[0]!;
            if (job === "parallelize-strings") for (const s of ["a", "b\nc", "ü"]) assert.ok(batch.includes(pickledStr(s)), s);
            else assert.ok(batch.includes(Buffer.from("4b014b02", "hex")));
          }

          // writeTaskHeader is the exact inverse.
          assert.deepEqual(WireWriter.encode((w) => writeTaskHeader(w, h, minor)), j2w.subarray(headerStart, headerEnd));
        });

        it("worker→JVM: secret, pid, records, then the trailer writeTaskEnd writes, then -4", async () => {
          const r = WireReader.fromBuffer(w2j);
          assert.equal(await r.readString(), "x".repeat(64));
          assert.ok((await r.readInt32()) > 0);
          const results: Buffer[] = [];
          let f: Buffer | number;
          while (typeof (f = await r.readFrame()) !== "number") results.push(f);
          assert.equal(f, SpecialLength.TIMING_DATA);
          const trailerStart = r.position - 4;
          const end = await readTaskEndAfterMarker(r, minor);
          const trailerEnd = r.position;
          assert.equal(await r.readInt32(), SpecialLength.END_OF_STREAM);
          assert.ok(r.atEnd);

          assert.equal(end.times.length, TIMING_LONGS[minor]);
          const [boot, init, finish] = end.times.map(Number) as [number, number, number];
          assert.ok(boot > Date.UTC(2020, 0) && boot <= init && init <= finish && finish < Date.UTC(2100, 0), `${end.times}`);
          assert.equal(end.memoryBytesSpilled, 0n);
          assert.equal(end.diskBytesSpilled, 0n);
          assert.equal(end.accumulatorUpdates.length, job === "broadcast-localprop" ? 1 : 0);
          assert.ok(results.length >= 1);
          if (job === "parallelize-strings") {
            const all = Buffer.concat(results);
            for (const s of ["a", "b\nc", "ü"]) assert.ok(all.includes(pickledStr(s)), s);
          }

          const written = WireWriter.encode((w) =>
            writeTaskEnd(
              w,
              {
                bootMs: boot,
                initMs: init,
                finishMs: finish,
                ...(minor === "4.3" ? { processingMs: Number(end.times[3]) } : {}),
                memoryBytesSpilled: end.memoryBytesSpilled,
                diskBytesSpilled: end.diskBytesSpilled,
                accumulatorUpdates: end.accumulatorUpdates,
              },
              minor,
            ),
          );
          assert.deepEqual(written, w2j.subarray(trailerStart, trailerEnd));
        });
      });
    }
  }

  it("the init message of one version does not parse as the other's", async () => {
    const for43 = transcript("4.3.0", "textfile-len").j2w.subarray(6);
    await assert.rejects(readTaskHeader(WireReader.fromBuffer(for43), "3.5"), WireProtocolError);
    const for35 = transcript("3.5.9", "textfile-len").j2w.subarray(6);
    await assert.rejects(readTaskHeader(WireReader.fromBuffer(for35), "4.3"), /START_OF_INIT_MESSAGE/);
  });

  it("the 3.5 header parses with the bytes arriving one at a time", async () => {
    const { j2w } = transcript("3.5.9", "broadcast-localprop");
    const s = new PassThrough();
    const r = new WireReader(s);
    const p = (async () => {
      await r.readString();
      return readTaskHeader(r, "3.5");
    })();
    for (const byte of j2w) {
      s.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    s.end();
    const h = await p;
    assert.equal(h.localProperties.get("k"), "v");
    assert.equal(await r.readFrames(10).then((x) => (Array.isArray(x) ? x.length : x)), 1);
  });
});

describe("headers tspark's tests can write", () => {
  const header: TaskHeader = {
    partitionIndex: 3,
    pythonVer: "tspark-1",
    isBarrier: false,
    barrierConnInfo: null,
    barrierSecret: "",
    stageId: 7,
    partitionId: 3,
    attemptNumber: 1,
    taskAttemptId: 2n ** 60n + 5n,
    cpus: 2,
    cpuAmount: undefined,
    resources: new Map([["gpu", { name: "gpu", addresses: ["0", "1"] }]]),
    localProperties: new Map([["k", "ü"]]),
    sparkFilesDir: "/tmp/files",
    includes: ["a.zip"],
    broadcastServer: null,
    broadcasts: [{ id: 4n, path: "/tmp/b4" }, { dropId: 2n }],
    evalType: 0,
    runnerConf: new Map(),
    evalConf: new Map(),
    command: Buffer.from("tspark command"),
    taskContextJson: undefined,
  };

  for (const minor of ["3.5", "4.3"] as const) {
    it(`${minor}: round-trips, a long task attempt id exactly`, async () => {
      const bytes = WireWriter.encode((w) => writeTaskHeader(w, header, minor));
      const got = await readTaskHeader(WireReader.fromBuffer(bytes), minor);
      assert.equal(got.taskAttemptId, header.taskAttemptId);
      assert.deepEqual(got.broadcasts, header.broadcasts);
      assert.deepEqual(got.resources, header.resources);
      assert.deepEqual(got.localProperties, header.localProperties);
      assert.deepEqual(got.command, header.command);
      assert.equal(got.includes[0], "a.zip");
    });
  }

  it("4.3: a broadcast decryption server on a Unix socket", async () => {
    const h = { ...header, broadcastServer: { socketPath: "/tmp/bc.sock" }, broadcasts: [{ id: 9n }] };
    const got = await readTaskHeader(WireReader.fromBuffer(WireWriter.encode((w) => writeTaskHeader(w, h, "4.3"))), "4.3");
    assert.deepEqual(got.broadcastServer, { socketPath: "/tmp/bc.sock" });
    assert.deepEqual(got.broadcasts, [{ id: 9n }]);
  });

  it("4.3: bytes left in the init message are a protocol error", async () => {
    const body = WireWriter.encode((w) => writeTaskHeader(w, header, "4.3")).subarray(8);
    const padded = WireWriter.encode((w) => w.int32(SpecialLength.START_OF_INIT_MESSAGE).frame(Buffer.concat([body, Buffer.alloc(4)])));
    await assert.rejects(readTaskHeader(WireReader.fromBuffer(padded), "4.3"), /left 4 of/);
  });
});

describe("reply helpers", () => {
  it("writeTaskError: -2 and the message", () => {
    const b = WireWriter.encode((w) => writeTaskError(w, "boom ü"));
    assert.equal(b.toString("hex"), "fffffffe" + "00000007" + Buffer.from("boom ü").toString("hex"));
  });

  it("writeTaskEnd: 3.5 has 3 time longs, 4.3 has 4", () => {
    const end = { bootMs: 1, initMs: 2, finishMs: 5, memoryBytesSpilled: 0, diskBytesSpilled: 7, accumulatorUpdates: [Buffer.from("x")] };
    const b35 = WireWriter.encode((w) => writeTaskEnd(w, end, "3.5"));
    const b43 = WireWriter.encode((w) => writeTaskEnd(w, end, "4.3"));
    assert.equal(b35.length, 4 + 5 * 8 + 4 + 4 + 5);
    assert.equal(b43.length, b35.length + 8);
    assert.equal(b43.readBigInt64BE(4 + 3 * 8), 3n); // processing defaults to finish - init
  });

  it("answerEndOfStream echoes -4, answers anything else with -1", async () => {
    for (const [input, clean, answer] of [[SpecialLength.END_OF_STREAM, true, -4], [0, false, -1]] as const) {
      const out = new PassThrough();
      const w = new WireWriter(out);
      const got = await answerEndOfStream(WireReader.fromBuffer(WireWriter.encode((x) => x.int32(input))), w);
      assert.equal(got, clean);
      assert.equal((out.read() as Buffer).readInt32BE(0), answer);
    }
    const out = new PassThrough();
    assert.equal(await answerEndOfStream(WireReader.fromBuffer(Buffer.alloc(0)), new WireWriter(out)), false);
    assert.equal((out.read() as Buffer).readInt32BE(0), -1);
  });
});

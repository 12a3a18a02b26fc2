import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { acceptWorker, authenticateTo, writePid } from "./handshake.js";
import { WireProtocolError, WireReader, WireWriter } from "./wire.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test", "fixtures", "spark-transcripts");

/** A loopback "executor" running acceptWorker on its first connection, and a worker socket connected to it. */
async function pair(secret: string): Promise<{ worker: net.Socket; accepted: Promise<{ pid: number } | Error>; close: () => void }> {
  let resolveAccepted!: (v: { pid: number } | Error) => void;
  const accepted = new Promise<{ pid: number } | Error>((resolve) => {
    resolveAccepted = resolve;
  });
  const server = net.createServer((s) => {
    acceptWorker(new WireReader(s), new WireWriter(s), secret)
      .catch((e: Error) => e)
      .then(resolveAccepted, resolveAccepted)
      .finally(() => s.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const worker = net.connect(port, "127.0.0.1");
  await new Promise((resolve) => worker.once("connect", resolve));
  return { worker, accepted, close: () => { worker.destroy(); server.close(); } };
}

describe("handshake", () => {
  it("the worker's first bytes have the transcripts' layout: str secret, int32 pid", () => {
    for (const version of ["3.5.9", "4.3.0"]) {
      const w2j = readFileSync(join(FIXTURES, version, "textfile-len.worker-to-jvm.bin"));
      const pid = w2j.readInt32BE(68);
      const ours = WireWriter.encode((w) => {
        w.string("x".repeat(64));
        writePid(w, pid);
      });
      assert.deepEqual(ours, w2j.subarray(0, 72));
      const j2w = readFileSync(join(FIXTURES, version, "textfile-len.jvm-to-worker.bin"));
      assert.deepEqual(j2w.subarray(0, 6), Buffer.from("000000026f6b", "hex"));
    }
  });

  it("authenticates over TCP and reports the pid", async () => {
    const { worker, accepted, close } = await pair("s3cret");
    try {
      const r = new WireReader(worker);
      const w = new WireWriter(worker);
      await authenticateTo(r, w, "s3cret");
      writePid(w);
      await w.flush();
      assert.deepEqual(await accepted, { pid: process.pid });
    } finally {
      close();
    }
  });

  it("a wrong secret is refused", async () => {
    const { worker, accepted, close } = await pair("right");
    try {
      const p = authenticateTo(new WireReader(worker), new WireWriter(worker), "wrong");
      await assert.rejects(p, (e: unknown) => e instanceof WireProtocolError && /refused/.test(e.message));
      assert.match(String(await accepted), /wrong secret/);
    } finally {
      close();
    }
  });

  it("a connection closed during authentication is a protocol error", async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const worker = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    try {
      await assert.rejects(authenticateTo(new WireReader(worker), new WireWriter(worker), "x"), WireProtocolError);
    } finally {
      worker.destroy();
      server.close();
    }
  });
});

import test from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { AccumulatorServer } from "./accumulator-server.js";
import { WireReader, WireWriter } from "../wire/wire.js";
import { encodeTaskReport, type TaskReport } from "../task-report.js";
import type { TaskMetrics } from "../../worker/task-outcome.js";

const metrics: TaskMetrics = { durationMs: 5, recordsOut: 3, spills: 0, spillBytes: 0, peakRssBytes: 1, recordsIn: 3, bytesIn: 9, shuffleReadBytes: 0, shuffleWriteBytes: 0, broadcastBytesRead: 7 };
const report = (stageId: number, accumulators: Array<[number, unknown]>): TaskReport => ({ stageId, metrics, accumulators });

/** Connects as Spark's driver JVM does (PythonAccumulatorV2.merge): the secret, raw, first. */
async function connectAs(server: AccumulatorServer, secret: string): Promise<{ reader: WireReader; writer: WireWriter; socket: net.Socket }> {
  const socket = net.connect(server.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(Buffer.from(secret, "utf8"));
  return { reader: new WireReader(socket), writer: new WireWriter(socket), socket };
}

test("each merge's task reports reach the driver, each merge acknowledged with one byte", async () => {
  const merged: TaskReport[] = [];
  const server = await AccumulatorServer.start((u) => merged.push(u));
  try {
    const { reader, writer, socket } = await connectAs(server, server.secret);
    writer.int32(2).frame(encodeTaskReport(report(0, [[1, 5]]))).frame(encodeTaskReport(report(1, [[1, 2], [3, "x"]])));
    await writer.flush();
    assert.equal(await reader.readBool(), true);
    writer.int32(1).frame(encodeTaskReport(report(1, [[2, 10n]])));
    await writer.flush();
    assert.equal(await reader.readBool(), true);
    assert.deepEqual(merged, [report(0, [[1, 5]]), report(1, [[1, 2], [3, "x"]]), report(1, [[2, 10n]])]);
    socket.destroy();
  } finally {
    server.close();
  }
});

test("a connection with the wrong secret is closed before anything is merged", async () => {
  const merged: unknown[] = [];
  const server = await AccumulatorServer.start((u) => merged.push(u));
  try {
    const { writer, socket } = await connectAs(server, "x".repeat(server.secret.length));
    writer.int32(1).frame(encodeTaskReport(report(0, [[1, 5]])));
    await writer.flush().catch(() => {});
    await new Promise((resolve) => socket.once("close", resolve));
    assert.deepEqual(merged, []);
  } finally {
    server.close();
  }
});

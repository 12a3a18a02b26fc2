import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";

import { jvmBarrierClient } from "./jvm-barrier.js";
import { WireReader, WireWriter } from "../wire/wire.js";

/** Spark's side of a barrier stage's allGather, as PythonRunner serves it: answers every task once `tasks` calls arrived. */
async function fakeRunner(secret: string, tasks: number): Promise<{ port: number; close: () => void }> {
  const waiting: Array<{ w: WireWriter; partition: number; message: string }> = [];
  const server = net.createServer(async (socket) => {
    const r = new WireReader(socket);
    const w = new WireWriter(socket);
    const got = await r.readString();
    w.string(got === secret ? "ok" : "err");
    await w.flush();
    if (got !== secret) return socket.end();
    assert.equal(await r.readInt32(), 2, "allGather's function code");
    const message = await r.readString();
    waiting.push({ w, partition: Number(message.split(":")[0]), message });
    if (waiting.length < tasks) return;
    const all = [...waiting].sort((a, b) => a.partition - b.partition).map((x) => x.message);
    for (const { w: out } of waiting) {
      out.int32(all.length);
      for (const m of all) out.string(m);
      await out.flush();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

const task = (partition: number) => ({ taskId: partition, stageId: 1, stageAttempt: 0, partition, numTasks: 2 });

describe("a barrier task's calls on Spark", () => {
  it("each call waits for every task's, and gets their messages in partition order", async () => {
    const runner = await fakeRunner("s", 2);
    try {
      const a = jvmBarrierClient(runner.port, "s", {}).request(task(1), "1:b");
      const b = jvmBarrierClient(runner.port, "s", {}).request(task(0), "0:a");
      assert.deepEqual(await Promise.all([a, b]), [["0:a", "1:b"], ["0:a", "1:b"]]);
    } finally {
      runner.close();
    }
  });

  it("a refused secret or a missing port fails the call with a message", async () => {
    const runner = await fakeRunner("s", 1);
    try {
      await assert.rejects(jvmBarrierClient(runner.port, "wrong", {}).request(task(0), ""), /the barrier call through Spark failed: .*refused/);
      await assert.rejects(jvmBarrierClient(-1, "s", {}).request(task(0), ""), /no port to coordinate through/);
    } finally {
      runner.close();
    }
  });
});

import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { connectToDaemonWorker } from "../wire/handshake.js";
import { WireReader, WireWriter } from "../wire/wire.js";

const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), "launcher.js");
const SECRET = "daemon-secret";

/** Starts the daemon as Spark does (`pythonExec -m pyspark.daemon pyspark.worker`, the secret in its environment) and reads its port. */
async function startDaemon(): Promise<{ daemon: ChildProcessWithoutNullStreams; port: number; stderr: () => string }> {
  const daemon = spawn(process.execPath, [LAUNCHER, "-m", "pyspark.daemon", "pyspark.worker"], {
    env: { ...process.env, PYTHON_WORKER_FACTORY_SECRET: SECRET, TSPARK_SPARK_PROFILE: "4.3" },
  });
  let err = "";
  daemon.stderr.on("data", (d) => (err += d));
  const port = await new WireReader(daemon.stdout).readInt32();
  return { daemon, port, stderr: () => err };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

async function connect(port: number): Promise<{ socket: net.Socket; reader: WireReader; writer: WireWriter }> {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  return { socket, reader: new WireReader(socket), writer: new WireWriter(socket) };
}

describe("the worker daemon (spark.python.use.daemon)", () => {
  it("writes its port, gives each connection a worker process of its own that says its live pid and checks the secret", async () => {
    const { daemon, port, stderr } = await startDaemon();
    try {
      assert.ok(port > 0 && port < 65536, `port ${port}`);
      const first = await connect(port);
      const { pid } = await connectToDaemonWorker(first.reader, first.writer, SECRET);
      assert.notEqual(pid, daemon.pid);
      assert.ok(alive(pid), "the pid is a live process");
      const second = await connect(port);
      const other = await connectToDaemonWorker(second.reader, second.writer, SECRET);
      assert.notEqual(other.pid, pid, "one process per connection");
      const wrong = await connect(port);
      await assert.rejects(connectToDaemonWorker(wrong.reader, wrong.writer, "not the secret"), /refused the secret/);
      for (const c of [first, second, wrong]) c.socket.destroy();
    } finally {
      daemon.kill("SIGKILL");
    }
    assert.equal(stderr(), "");
  });

  it("kills the worker whose pid Spark writes to its stdin, and every worker when its stdin closes", async () => {
    const { daemon, port } = await startDaemon();
    const exited = once(daemon, "exit");
    try {
      const a = await connect(port);
      const { pid: killed } = await connectToDaemonWorker(a.reader, a.writer, SECRET);
      const b = await connect(port);
      const { pid: kept } = await connectToDaemonWorker(b.reader, b.writer, SECRET);
      const pid = Buffer.alloc(4);
      pid.writeInt32BE(killed);
      daemon.stdin.write(pid);
      assert.ok(await until(() => !alive(killed)), "the worker named was killed");
      assert.ok(alive(kept), "the other worker was not");
      daemon.stdin.end();
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0);
      assert.ok(await until(() => !alive(kept)), "no worker outlives the daemon");
      a.socket.destroy();
      b.socket.destroy();
    } finally {
      daemon.kill("SIGKILL");
    }
  });

  it("a worker leaves when the executor closes its connection", async () => {
    const { daemon, port } = await startDaemon();
    try {
      const c = await connect(port);
      const { pid } = await connectToDaemonWorker(c.reader, c.writer, SECRET);
      c.socket.end();
      assert.ok(await until(() => !alive(pid)), "the worker exited");
    } finally {
      daemon.kill("SIGKILL");
    }
  });
});

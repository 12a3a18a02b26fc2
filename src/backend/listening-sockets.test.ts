/**
 * Anything tspark listens on binds to loopback: after jobs of every kind (a shuffle, a
 * barrier stage, a broadcast), no socket of the driver or of a worker listens on another
 * address. Read from /proc (Linux): a socket's inode in /proc/<pid>/fd, its address in
 * /proc/net/tcp and tcp6.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { SparkContext, BarrierTaskContext } from "../index.js";

const linux = existsSync("/proc/net/tcp");
const sc = new SparkContext({ master: "local[2]", appName: "listening-sockets-test" });
after(() => sc.stop());

const LISTEN = "0A";

/** [address, port] of every listening TCP socket in the system, by socket inode. */
function listeningSockets(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      out.set(f[9]!, f[1]!);
    }
  }
  return out;
}

function socketInodes(pid: number): string[] {
  const inodes: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.push(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

/** Loopback in /proc's hex notation: 127.x.x.x (little-endian) or ::1 / ::ffff:127.x.x.x. */
function isLoopback(hexAddr: string): boolean {
  const [addr] = hexAddr.split(":");
  if (addr!.length === 8) return addr!.endsWith("7F");
  return addr === "00000000000000000000000001000000" || (addr!.startsWith("0000000000000000FFFF0000") && addr!.endsWith("7F"));
}

test("isLoopback reads /proc's notation", () => {
  assert.ok(isLoopback("0100007F:1F90"));
  assert.ok(!isLoopback("00000000:1F90"), "0.0.0.0");
  assert.ok(isLoopback("00000000000000000000000001000000:1F90"), "::1");
  assert.ok(!isLoopback("00000000000000000000000000000000:1F90"), "::");
});

test("no socket of the driver or a worker listens beyond loopback", { skip: linux ? false : "needs /proc (Linux)" }, async () => {
  const b = sc.broadcast({ n: 3 });
  await sc.parallelize<[number, number]>([[1, 1], [2, 2], [1, 3]], 2).reduceByKey((x, y) => x + y).mapValues((v) => v * b.value.n).collect();
  await sc.parallelize([1, 2], 2).barrier().mapPartitions(async function* (it) {
    await BarrierTaskContext.get()!.barrier();
    yield* it;
  }).collect();
  const listening = listeningSockets();
  const exposed: string[] = [];
  for (const pid of [process.pid, ...sc.workerPids()]) {
    for (const inode of socketInodes(pid)) {
      const addr = listening.get(inode);
      if (addr !== undefined && !isLoopback(addr)) exposed.push(`pid ${pid} listens on ${addr}`);
    }
  }
  assert.deepEqual(exposed, []);
});

// The client against a small stand-in for the gateway's side of the grammar (the real JVM's
// answers are checked in spark/gateway/launch-gateway.test.ts): authentication, the pool of
// connections, exceptions with their Java stack, and a gateway that goes away mid-call.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { Py4JClient, JvmError, JavaObject } from "./py4j-client.js";

type Handler = (lines: string[], reply: (answer: string) => void) => void;

/** Reads commands (lines up to `e`, or the two auth lines) and lets `handle` answer each. */
async function fakeGateway(secret: string, handle: Handler): Promise<{ port: number; server: net.Server; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let buf = "";
    let authed = false;
    let lines: string[] = [];
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (!authed && lines.length === 2) {
          authed = lines[0] === "A" && lines[1] === secret;
          socket.write(authed ? "!yv\n" : "!xn\n");
          lines = [];
        } else if (authed && line === "e") {
          const cmd = lines;
          lines = [];
          handle(cmd, (answer) => socket.write(`${answer}\n`));
        }
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as net.AddressInfo).port, server, connections: () => connections };
}

test("a wrong secret is refused", async () => {
  const gw = await fakeGateway("right", () => {});
  try {
    await assert.rejects(Py4JClient.connect(gw.port, "wrong"), (e: Error & { code: string }) => e.code === "SPARK_UNAVAILABLE" && /refused tspark's secret/.test(e.message));
  } finally {
    gw.server.close();
  }
});

test("values and objects come back typed; a slow call does not hold up another (a second connection)", async () => {
  let release: (() => void) | undefined;
  const seen: string[][] = [];
  const gw = await fakeGateway("s", (cmd, reply) => {
    seen.push(cmd);
    if (cmd[2] === "runJob") release = () => reply("!yL10");
    else if (cmd[0] === "i") reply("!yro7");
    else if (cmd[0] === "m") reply("!yv");
    else reply("!ysok");
  });
  const client = await Py4JClient.connect(gw.port, "s");
  try {
    const conf = await client.construct("org.apache.spark.SparkConf", true);
    assert.ok(conf instanceof JavaObject);
    assert.equal(conf.javaId, "o7");
    const job = client.call(conf, "runJob");
    assert.equal(await client.call(conf, "other", "x\ny"), "ok"); // answered while runJob waits
    assert.deepEqual(seen.at(-1), ["c", "o7", "other", "sx\\ny", "e"]);
    release!();
    assert.equal(await job, 10n);
    assert.equal(gw.connections(), 2);
    await conf.release();
    assert.deepEqual(seen.at(-1), ["m", "d", "o7", "e"]);
  } finally {
    client.close();
    gw.server.close();
  }
});

test("a Java exception becomes a JvmError with the exception's line and whole stack; the throwable is released", async () => {
  const seen: string[][] = [];
  const trace = 'java.lang.NumberFormatException: For input string: "abc"\\n\tat java.base/java.lang.Integer.parseInt(Integer.java:668)\\n';
  const gw = await fakeGateway("s", (cmd, reply) => {
    seen.push(cmd);
    if (cmd[0] === "c") reply("!xro1");
    else if (cmd[0] === "p") reply(`!ys${trace}`);
    else reply("!yv");
  });
  const client = await Py4JClient.connect(gw.port, "s");
  try {
    await assert.rejects(client.callStatic("java.lang.Integer", "parseInt", "abc"), (e: JvmError) => {
      assert.equal(e.code, "JVM_ERROR");
      assert.equal(e.message, 'java.lang.Integer.parseInt failed in the JVM: java.lang.NumberFormatException: For input string: "abc"');
      assert.match(e.javaStackTrace!, /\n\tat java.base\/java.lang.Integer.parseInt/);
      return true;
    });
    assert.deepEqual(seen.slice(1), [["p", "ro1", "e"], ["m", "d", "o1", "e"]]);
  } finally {
    client.close();
    gw.server.close();
  }
});

test("a gateway that goes away mid-call fails the call, saying the JVM may have exited", async () => {
  const gw = await fakeGateway("s", () => {
    for (const s of sockets) s.destroy();
  });
  const sockets: net.Socket[] = [];
  gw.server.on("connection", (s) => sockets.push(s));
  const client = await Py4JClient.connect(gw.port, "s");
  try {
    await assert.rejects(client.callStatic("x.Y", "z"), /lost the connection to Spark's JVM .*did it exit\?/);
  } finally {
    client.close();
    gw.server.close();
  }
});

/** A thread for thread-channel.test.ts: answers after a delay, throws on request, sends notices. */
import { serveThreadCalls } from "../thread-channel.js";
import { TsparkError } from "../../errors.js";

const thread = serveThreadCalls({
  async echo(value: unknown, delayMs: number) {
    await new Promise((r) => setTimeout(r, delayMs));
    thread.notify(`echoed ${JSON.stringify(value)}`);
    return value;
  },
  fail(message: string) {
    throw new TsparkError("INVALID_ARGUMENT", message);
  },
});

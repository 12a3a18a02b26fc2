/**
 * For awaiting a promise that lives as long as the context (the web UI's start, Spark's
 * connection) from every job: V8 records on an awaited promise the async function awaiting
 * it (for async stack traces), so awaiting such a promise directly keeps the last job's frame
 * (its RDDs and their captured values) reachable after the job ended, and the context cleaner
 * cannot remove what it used. Awaiting a fresh promise that follows it does not.
 */
export function awaitable<T>(longLived: Promise<T>): Promise<T> {
  return longLived.then();
}

/**
 * Records flow through a task as a stream of batches (arrays). Batches keep the per-record
 * path free of generators and Promises: a synchronous stage stays synchronous end to end,
 * and only an `async` user function (or an async source such as `pipe`) makes the stream
 * asynchronous, paying one await per batch.
 */
export type BatchStream<T> = Iterable<T[]> | AsyncIterable<T[]>;

/** Target number of records per batch produced by the engine's own operators. */
export const BATCH_RECORDS = 1024;

export function isAsyncStream<T>(s: BatchStream<T>): s is AsyncIterable<T[]> {
  return typeof (s as AsyncIterable<T[]>)[Symbol.asyncIterator] === "function";
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";
}

export function isAsyncFunction(fn: Function): boolean {
  const name = fn.constructor?.name;
  return name === "AsyncFunction" || name === "AsyncGeneratorFunction";
}

/** The records of a synchronous stream, one at a time (what a user's mapPartitions sees). */
export function* recordsOf<T>(s: Iterable<T[]>): Generator<T, void, undefined> {
  for (const batch of s) yield* batch;
}

export async function* asyncRecordsOf<T>(s: BatchStream<T>): AsyncGenerator<T, void, undefined> {
  for await (const batch of s as AsyncIterable<T[]>) yield* batch;
}

/** Groups a record iterable into batches. Arrays pass through whole. */
export function* batchesOf<T>(records: Iterable<T>): Generator<T[], void, undefined> {
  if (Array.isArray(records)) {
    if (records.length > 0) yield records as T[];
    return;
  }
  let buf: T[] = [];
  for (const r of records) {
    buf.push(r);
    if (buf.length >= BATCH_RECORDS) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length > 0) yield buf;
}

export async function* asyncBatchesOf<T>(records: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T[], void, undefined> {
  let buf: T[] = [];
  for await (const r of records) {
    buf.push(r);
    if (buf.length >= BATCH_RECORDS) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length > 0) yield buf;
}

/** Drains a stream into one array (for results and for operators that need the whole partition). */
export function collectStream<T>(s: BatchStream<T>): T[] | Promise<T[]> {
  if (isAsyncStream(s)) {
    return (async () => {
      const out: T[] = [];
      for await (const b of s) for (const r of b) out.push(r);
      return out;
    })();
  }
  const out: T[] = [];
  for (const b of s) for (const r of b) out.push(r);
  return out;
}

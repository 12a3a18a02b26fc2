/**
 * Records flow through a task as a stream of batches (arrays). Batches keep the per-record
 * path free of generators and Promises: a synchronous stage stays synchronous end to end,
 * and only an `async` user function (or an async source such as `pipe`) makes the stream
 * asynchronous, paying one await per batch.
 *
 * The sync/async dispatch of the operators lives here, in a few combinators (mapBatches,
 * liftSync, foldBatches, foldRecords, reduceRecords...): an operator writes its logic once.
 */
import { RecordPipeline, pushRecords, type Emit } from "./steps/record-pipeline.js";

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

/**
 * The hooks of a batch transform (mapBatches) beside its per-batch function; all optional.
 */
export interface BatchHooks<U> {
  /** The batches to emit once the input has been read to its end (a reduction's result, a buffer's output). */
  flush?: () => Iterable<U[]> | undefined;
  /** Asked before each read of the input: true once no more input is wanted (take). */
  done?: () => boolean;
  /** Runs however the stream ends: read to its end, left early by its reader, or failed. */
  close?: () => void;
}

/**
 * The one sync/async dispatch of the batch transforms: `each` maps every input batch to an
 * output batch (nothing is emitted for undefined or an empty one), then `hooks.flush`'s
 * batches follow. Runs when the stream is read; a synchronous input gives a synchronous
 * stream (no Promise anywhere), an asynchronous one an asynchronous stream. Its two bodies
 * are the same loop, with `for` and with `for await`: keep them alike.
 */
export function mapBatches<T, U>(input: BatchStream<T>, each: (batch: T[]) => U[] | undefined, hooks: BatchHooks<U> = {}): BatchStream<U> {
  const { flush, done, close } = hooks;
  if (isAsyncStream(input)) {
    return (async function* () {
      try {
        if (done?.()) return;
        for await (const b of input) {
          const out = each(b);
          if (out !== undefined && out.length > 0) yield out;
          if (done?.()) return;
        }
        for (const out of flush?.() ?? []) if (out.length > 0) yield out;
      } finally {
        close?.();
      }
    })();
  }
  return (function* () {
    try {
      if (done?.()) return;
      for (const b of input) {
        const out = each(b);
        if (out !== undefined && out.length > 0) yield out;
        if (done?.()) return;
      }
      for (const out of flush?.() ?? []) if (out.length > 0) yield out;
    } finally {
      close?.();
    }
  })();
}

/**
 * Applies a transform of synchronous streams to any stream: to a synchronous stream as a
 * whole (so a fused record chain stays one chain), to an asynchronous one batch by batch, at
 * one await per batch. The transform must keep no state from one call to the next.
 */
export function liftSync<T, U>(input: BatchStream<T>, transform: (s: Iterable<T[]>) => Iterable<U[]>): BatchStream<U> {
  if (!isAsyncStream(input)) return transform(input);
  return (async function* () {
    for await (const b of input) yield* transform([b]);
  })();
}

/** Reads a whole stream now: `each` takes every batch, then `finish()` is the result (a Promise only for an asynchronous stream). */
export function foldBatches<T, R>(input: BatchStream<T>, each: (batch: T[]) => void, finish: () => R): R | Promise<R> {
  if (isAsyncStream(input)) {
    return (async () => {
      for await (const b of input) each(b);
      return finish();
    })();
  }
  for (const b of input) each(b);
  return finish();
}

export interface RecordFoldOptions<T> {
  /** `each` may return a Promise to await (an `async` user function): the fold is then asynchronous. */
  awaitEach?: boolean;
  /** Does what `each` does for every record of a batch, faster; used when records come as batches and `each` needs no await. */
  batch?: (batch: T[]) => void;
}

/**
 * Reads a whole stream now, record by record: `each` takes every record, then `finish()` is
 * the result. A synchronous stream's fused record chain pushes its records straight into
 * `each` (no batches between the steps); an asynchronous stream (or `awaitEach`) awaits
 * what `each` returns when it is a Promise, and gives a Promise.
 */
export function foldRecords<T, R>(input: BatchStream<T>, each: (record: T) => unknown, finish: () => R, options: RecordFoldOptions<T> = {}): R | Promise<R> {
  const { awaitEach = false, batch } = options;
  if (!awaitEach && !isAsyncStream(input)) {
    if (batch === undefined || input instanceof RecordPipeline) pushRecords(input as Iterable<unknown[]>, each as Emit);
    else for (const b of input) batch(b);
    return finish();
  }
  return (async () => {
    for await (const b of input as AsyncIterable<T[]>) {
      if (batch !== undefined && !awaitEach) {
        batch(b);
        continue;
      }
      for (let i = 0; i < b.length; i++) {
        const r = each(b[i]!);
        if (isThenable(r)) await r;
      }
    }
    return finish();
  })();
}

/**
 * An action's result as a stream: one batch, `finish()`'s, made by foldRecords when the
 * stream is first read. Synchronous when the input is and `each` needs no await.
 */
export function reduceRecords<T, U>(input: BatchStream<T>, each: (record: T) => unknown, finish: () => U[], options: RecordFoldOptions<T> = {}): BatchStream<U> {
  const fold = () => foldRecords(input, each, finish, options);
  if (options.awaitEach || isAsyncStream(input)) {
    return (async function* () {
      yield await fold();
    })();
  }
  return (function* () {
    yield fold() as U[];
  })();
}

/** The streams one after the other; asynchronous if any of them is. */
export function concatStreams<T>(parts: BatchStream<T>[]): BatchStream<T> {
  if (parts.some(isAsyncStream)) {
    return (async function* () {
      for (const p of parts) yield* p;
    })();
  }
  return (function* () {
    for (const p of parts) yield* p as Iterable<T[]>;
  })();
}

/** A stream's records one at a time, as an iterable of the same kind (foreachPartition's argument). */
export function streamRecords<T>(s: BatchStream<T>): Iterable<T> | AsyncIterable<T> {
  return isAsyncStream(s) ? asyncRecordsOf(s) : recordsOf(s);
}

/** Drains a stream into one array (for results and for operators that need the whole partition). */
export function collectStream<T>(s: BatchStream<T>): T[] | Promise<T[]> {
  const out: T[] = [];
  return foldBatches(s, (b) => {
    for (const r of b) out.push(r);
  }, () => out);
}

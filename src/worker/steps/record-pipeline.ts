/**
 * Synchronous per-record steps (map, filter, flatMap, mapValues...) fused into one push
 * chain for consumers that take records one at a time (the shuffle writer, count, folds):
 * each record goes through every step and into the consumer before the next record is
 * read, so the records between steps (W1's [word, 1] pairs) die young instead of waiting in
 * a batch array for the next step: measured on 7.7M words, split + pairs + hash took
 * 1.5-1.8 s as batches between steps and 0.75 s pushed through.
 *
 * Read as a batch stream, a pipeline runs its steps one after the other, exactly as unfused
 * steps: each yields one batch per input batch (when not empty), cut at MAX_OUT_RECORDS, and
 * reads no further input than its consumer asks for.
 */

/** Takes one record. */
export type Emit = (record: unknown) => void;
/** One step of a chain: given what comes after it, the function that takes its input records. */
export type RecordStage = (downstream: Emit) => Emit;

/**
 * An output batch is cut at this many records. A longer array's backing store (over V8's
 * 128 KB regular-object limit) is allocated in the large-object space, on freshly mapped
 * pages each time: W1's flatMap made 40k-word batches from 4096 lines, which caused 55% of
 * a worker's page faults (329k faults, 1.0 s of system time at 50 MB).
 */
export const MAX_OUT_RECORDS = 8192;

/**
 * Stages fused into one chain at most. A record goes down the chain as nested calls, and a
 * batch stream through nested generators, so thousands of chained maps would overflow the
 * stack: past this many, the chain so far runs as one batch step (one generator, the whole
 * group per batch) that the next stages read from.
 */
export const MAX_FUSED_STAGES = 64;

export class RecordPipeline implements Iterable<unknown[]> {
  private constructor(private readonly source: Iterable<unknown[]>, private readonly stages: readonly RecordStage[]) {}

  /** `input` followed by `stage` (input's own stages are kept, so steps fuse into one chain). */
  static append(input: Iterable<unknown[]>, stage: RecordStage): RecordPipeline {
    if (!(input instanceof RecordPipeline)) return new RecordPipeline(input, [stage]);
    // The whole chain so far is one stage, run per batch by one generator.
    if (input.stages.length >= MAX_FUSED_STAGES) return new RecordPipeline({ [Symbol.iterator]: () => stageBatches(input.source, (sink) => input.chain(sink)) }, [stage]);
    return new RecordPipeline(input.source, [...input.stages, stage]);
  }

  /** Pushes every record through the chain into `sink`. */
  pushInto(sink: Emit): void {
    for (const _ of this.pushEach(sink));
  }

  /** pushInto one source batch at a time: yields after each batch's records went down the chain. */
  *pushEach(sink: Emit): Generator<void, void, undefined> {
    const emit = this.chain(sink);
    for (const batch of this.source) {
      for (let i = 0; i < batch.length; i++) emit(batch[i]);
      yield;
    }
  }

  private chain(sink: Emit): Emit {
    let emit = sink;
    for (let i = this.stages.length - 1; i >= 0; i--) emit = this.stages[i]!(emit);
    return emit;
  }

  *[Symbol.iterator](): Iterator<unknown[]> {
    let s: Iterable<unknown[]> = this.source;
    for (const stage of this.stages) s = stageBatches(s, stage);
    yield* s;
  }
}

/** One stage over batches: one output batch per input batch, cut at MAX_OUT_RECORDS. */
function* stageBatches(input: Iterable<unknown[]>, stage: RecordStage): Generator<unknown[], void, undefined> {
  let out: unknown[] = [];
  const emit = stage((y) => {
    out.push(y);
  });
  for (const batch of input) {
    for (let i = 0; i < batch.length; i++) {
      emit(batch[i]);
      if (out.length >= MAX_OUT_RECORDS) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
}

/** Every record of a synchronous stream into `sink`; a pipeline's records without batching. */
export function pushRecords(input: Iterable<unknown[]>, sink: Emit): void {
  if (input instanceof RecordPipeline) input.pushInto(sink);
  else for (const batch of input) for (let i = 0; i < batch.length; i++) sink(batch[i]);
}

/**
 * pushRecords one input batch at a time, yielding after each: for a consumer that must hand on
 * what each batch produced (the shuffle emitter's full frames) while records still go down a
 * pipeline's chain one by one.
 */
export function* pushRecordsByBatch(input: Iterable<unknown[]>, sink: Emit): Generator<void, void, undefined> {
  if (input instanceof RecordPipeline) {
    yield* input.pushEach(sink);
    return;
  }
  for (const batch of input) {
    for (let i = 0; i < batch.length; i++) sink(batch[i]);
    yield;
  }
}

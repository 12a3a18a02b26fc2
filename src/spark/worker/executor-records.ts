/**
 * The records an executor hands tspark's worker, decoded for the leaves of the task's plan that
 * read them. Spark's own input (lines, file pairs, record batches) feeds the one leaf that reads
 * it. Shuffle output may feed several: a co-partitioned union of shuffles (a join, a cogroup)
 * reaches the task as one stream of tagged frames (shuffle-emitter.ts), each leaf reading the
 * frames of its shuffle. The driver orders the union as the plan reads it, so frames arrive
 * when their leaf reads; any that come early wait in memory, then in a file.
 */
import { join } from "node:path";
import { rmSync } from "node:fs";
import { TsparkError } from "../../errors.js";
import { leavesInReadOrder, type ExecutorInputPlan, type PartitionPlan } from "../../scheduler/plan.js";
import { decodeBatch } from "../../serde/record-batch.js";
import { FrameFileWriter, readFrames } from "../../shuffle/frame-file.js";
import type { ExecutorInput } from "../../worker/task-context.js";
import type { FrameCodec, PairCodec } from "../task-command.js";
import { SpecialLength, type WireReader } from "../wire/wire.js";

/** Frames the worker reads from the executor at a time (without awaiting while they are buffered). */
const FRAMES_PER_READ = 1024;
/** Bytes of early frames a task keeps in memory before the rest wait in a file. */
const EARLY_FRAMES_MEMORY = 32 * 1024 * 1024;

/** What the task's leaves read from the executor. */
export function executorInput(reader: WireReader, codec: FrameCodec | PairCodec, plan: PartitionPlan, scratch: () => string): ExecutorInput {
  if (codec === "shuffle-batches") {
    const frames = new TaggedFrames(reader, leavesInReadOrder(plan).map(tagOf), scratch);
    return (leaf) => frames.open(tagOf(leaf));
  }
  let opened = false;
  return () => {
    if (opened) throw new TsparkError("PROTOCOL", "a task's plan reads the executor's records twice");
    opened = true;
    return executorRecords(reader, codec);
  };
}

function tagOf(leaf: ExecutorInputPlan): number {
  const id = leaf.from?.shuffle?.id;
  if (id === undefined) throw new TsparkError("PROTOCOL", "a leaf reading shuffle output does not name its shuffle");
  return id;
}

async function* executorRecords(reader: WireReader, codec: Exclude<FrameCodec | PairCodec, "shuffle-batches">): AsyncGenerator<unknown[], void, undefined> {
  // A pair's key read at the end of one batch of frames, its value in the next.
  let key: string | undefined;
  for (;;) {
    const frames = await reader.readFrames(FRAMES_PER_READ);
    if (typeof frames === "number") {
      if (frames === SpecialLength.END_OF_DATA_SECTION && key === undefined) return;
      throw new TsparkError("PROTOCOL", `unexpected length ${frames} in the executor's records`);
    }
    if (codec === "utf8") {
      yield frames.map((f) => (f === null ? null : f.toString("utf8")));
    } else if (codec === "batches") {
      for (const f of frames) if (f !== null) yield decodeBatch(f);
    } else {
      const pairs: Array<[string, unknown]> = [];
      for (const f of frames) {
        if (key === undefined) {
          key = f?.toString("utf8") ?? "";
          continue;
        }
        // Frames are views of the receive buffer: bytes are copied, as they outlive it.
        pairs.push([key, codec === "text-pairs" ? (f?.toString("utf8") ?? "") : new Uint8Array(f ?? Buffer.alloc(0))]);
        key = undefined;
      }
      if (pairs.length) yield pairs;
    }
  }
}

/** Batches (their encoded bytes) read for a leaf before it reads: in memory, then in a file. */
class EarlyFrames {
  readonly memory: Buffer[] = [];
  file: FrameFileWriter | undefined;
  opened = false;

  constructor(readonly tag: number, readonly run: number) {}
}

/**
 * One stream of tagged shuffle frames, shared by the leaves reading it. Spark's co-partitioned
 * union hands over its members one after another: each shuffle's frames are one run, in the
 * order of `runs`. A leaf's frames are over once a later run starts.
 */
class TaggedFrames {
  private readonly readers: EarlyFrames[];
  private readonly runOf = new Map<number, number>();
  /** The run the last frame read belongs to. */
  private run = 0;
  private ended = false;
  /** Set while one leaf reads from the executor (another waits for it). */
  private reading: Promise<unknown> | undefined;
  private memoryBytes = 0;
  private files = 0;

  constructor(private readonly reader: WireReader, leafTags: number[], private readonly scratch: () => string) {
    for (const tag of leafTags) if (!this.runOf.has(tag)) this.runOf.set(tag, this.runOf.size);
    this.readers = leafTags.map((tag) => new EarlyFrames(tag, this.runOf.get(tag)!));
  }

  /** The records of shuffle `tag`'s frames, for the next leaf reading it (a shuffle read twice in a task has two). */
  open(tag: number): AsyncGenerator<unknown[], void, undefined> {
    const mine = this.readers.find((r) => r.tag === tag && !r.opened);
    if (!mine) throw new TsparkError("PROTOCOL", `the task's plan reads shuffle ${tag} more often than its leaves say`);
    mine.opened = true;
    return this.records(mine);
  }

  private async *records(mine: EarlyFrames): AsyncGenerator<unknown[], void, undefined> {
    try {
      for (;;) {
        // What came before this leaf read.
        while (mine.memory.length > 0) {
          const body = mine.memory.shift()!;
          this.memoryBytes -= body.length;
          yield decodeBatch(body);
        }
        if (mine.file) {
          const file = mine.file;
          mine.file = undefined;
          file.close();
          try {
            yield* readFrames(file.path);
          } finally {
            rmSync(file.path, { force: true });
          }
          continue;
        }
        if (this.ended || this.run > mine.run) return;
        if (this.reading) {
          await this.reading;
          continue;
        }
        const read = this.reader.readFrames(FRAMES_PER_READ);
        this.reading = read;
        let frames: Awaited<typeof read>;
        try {
          frames = await read;
        } finally {
          this.reading = undefined;
        }
        if (typeof frames === "number") {
          if (frames !== SpecialLength.END_OF_DATA_SECTION) throw new TsparkError("PROTOCOL", `unexpected length ${frames} in the executor's shuffle output`);
          this.ended = true;
          continue;
        }
        const out: unknown[][] = [];
        for (const f of frames) {
          if (f === null || f.length < 4) throw new TsparkError("PROTOCOL", "a frame of shuffle output without its shuffle's tag");
          const tag = f.readUInt32LE(0);
          const run = this.runOf.get(tag);
          if (run === undefined) throw new TsparkError("PROTOCOL", `a frame of shuffle ${tag}, which the task does not read`);
          if (run < this.run) throw new TsparkError("PROTOCOL", `a frame of shuffle ${tag} after the frames of a later member of the union`);
          this.run = run;
          const body = f.subarray(4);
          if (tag === mine.tag) out.push(decodeBatch(body));
          for (const other of this.readers) if (other !== mine && other.tag === tag && !this.done.has(other)) this.keep(other, body);
        }
        yield* out;
      }
    } finally {
      this.done.add(mine);
      this.drop(mine);
    }
  }

  /** Leaves that stopped reading (their frames are no longer kept). */
  private readonly done = new Set<EarlyFrames>();

  private drop(early: EarlyFrames): void {
    for (const b of early.memory) this.memoryBytes -= b.length;
    early.memory.length = 0;
    if (early.file) {
      early.file.close();
      rmSync(early.file.path, { force: true });
      early.file = undefined;
    }
  }

  /** Keeps a frame for a leaf that is not reading now (frames are views of the receive buffer: copied). */
  private keep(early: EarlyFrames, body: Buffer): void {
    if (!early.file && this.memoryBytes + body.length <= EARLY_FRAMES_MEMORY) {
      early.memory.push(Buffer.from(body));
      this.memoryBytes += body.length;
      return;
    }
    early.file ??= new FrameFileWriter(join(this.scratch(), `early-frames-${process.pid}-${this.files++}.tmp`));
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(body.length, 0);
    early.file.writeRaw(head);
    early.file.writeRaw(Buffer.from(body));
  }
}

/**
 * The records an executor hands tspark's worker, decoded for the leaves of the task's plan that
 * read them. Spark's own input (lines, file pairs, record batches) feeds the one leaf that reads
 * it. Shuffle output may feed several (a join, a cogroup, a coalesce): it reaches the task as
 * one stream of frames tagged with their shuffle and partition (shuffle-emitter.ts), each leaf
 * reading its own. Frames that come before their leaf reads wait in memory, then in a file.
 */
import { join } from "node:path";
import { rmSync } from "node:fs";
import { TsparkError } from "../../errors.js";
import { leavesInReadOrder, type ExecutorInputPlan, type PartitionPlan, type SparkInputPartition } from "../../scheduler/plan.js";
import { decodeRecords } from "../../serde/record-serializers.js";
import { FrameFileWriter, readFrames } from "../../shuffle/frame-file.js";
import type { ExecutorInput } from "../../worker/task-context.js";
import { inRuns, type FrameCodec, type PairCodec } from "../task-command.js";
import { FRAME_TAG_BYTES, taggedFrameOf } from "../../shuffle/shuffle-emitter.js";
import { SpecialLength, type WireReader } from "../wire/wire.js";

/** Frames the worker reads from the executor at a time (without awaiting while they are buffered). */
const FRAMES_PER_READ = 1024;
/** Bytes of early frames a task keeps in memory before the rest wait in a file. */
const EARLY_FRAMES_MEMORY = 32 * 1024 * 1024;

/**
 * What the leaves of the task's `plan` read from the executor. Early shuffle frames use up to
 * `earlyFramesMemory` bytes, then files in `scratch()`.
 */
export function executorInput(reader: WireReader, codec: FrameCodec | PairCodec, plan: PartitionPlan, scratch: () => string, earlyFramesMemory = EARLY_FRAMES_MEMORY): ExecutorInput {
  if (codec === "tagged-batches") {
    const leaves = leavesInReadOrder(plan).map(shuffleLeaf);
    const frames = new TaggedFrames(reader, leaves.map(leafKey), inRuns(leaves), scratch, earlyFramesMemory);
    return (leaf) => frames.open(leafKey(shuffleLeaf(leaf)));
  }
  let opened = false;
  return () => {
    if (opened) throw new TsparkError("PROTOCOL", "a task's plan reads the executor's records twice");
    opened = true;
    return executorRecords(reader, codec);
  };
}

function shuffleLeaf(leaf: ExecutorInputPlan): SparkInputPartition {
  if (leaf.from?.tagged === undefined) throw new TsparkError("PROTOCOL", "a leaf reading tagged record batches does not name their source");
  return leaf.from;
}

function leafKey(leaf: SparkInputPartition): string {
  return keyOf(leaf.tagged!.source, leaf.partition);
}

async function* executorRecords(reader: WireReader, codec: Exclude<FrameCodec | PairCodec, "tagged-batches">): AsyncGenerator<unknown[], void, undefined> {
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
      for (const f of frames) if (f !== null) yield decodeRecords(f);
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

  constructor(readonly key: string, readonly run: number) {}
}

/**
 * One stream of tagged shuffle frames, shared by the leaves reading it. When the frames come
 * in runs (Spark's co-partitioned union hands over its members one after another, in the
 * order the task reads them: `ordered`), a leaf's frames are over once a later run starts;
 * otherwise (a gathered coalesce, zip or cartesian: Spark chooses the order) only at the end.
 */
class TaggedFrames {
  private readonly readers: EarlyFrames[];
  private readonly runOf = new Map<string, number>();
  /** The run the last frame read belongs to. */
  private run = 0;
  private ended = false;
  /** Set while one leaf reads from the executor (another waits for it). */
  private reading: Promise<unknown> | undefined;
  private memoryBytes = 0;
  private files = 0;
  /** Leaves that stopped reading (their frames are no longer kept). */
  private readonly done = new Set<EarlyFrames>();

  constructor(
    private readonly reader: WireReader,
    leafKeys: string[],
    private readonly ordered: boolean,
    private readonly scratch: () => string,
    private readonly memoryLimit: number,
  ) {
    for (const key of leafKeys) if (!this.runOf.has(key)) this.runOf.set(key, this.runOf.size);
    this.readers = leafKeys.map((key) => new EarlyFrames(key, this.runOf.get(key)!));
  }

  /** The records of one leaf's frames (a partition read twice in a task is read by two leaves). */
  open(key: string): AsyncGenerator<unknown[], void, undefined> {
    const mine = this.readers.find((r) => r.key === key && !r.opened);
    if (!mine) throw new TsparkError("PROTOCOL", `the task's plan reads ${describeKey(key)} more often than its leaves say`);
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
          yield decodeRecords(body);
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
        if (this.ended || (this.ordered && this.run > mine.run)) return;
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
          if (frames !== SpecialLength.END_OF_DATA_SECTION) throw new TsparkError("PROTOCOL", `unexpected length ${frames} in the executor's tagged record batches`);
          this.ended = true;
          continue;
        }
        const out: unknown[][] = [];
        for (const f of frames) {
          if (f === null || f.length < FRAME_TAG_BYTES) throw new TsparkError("PROTOCOL", "a frame of tagged record batches without its tag");
          const { source, partition, batch } = taggedFrameOf(f);
          const key = keyOf(source, partition);
          const run = this.runOf.get(key);
          if (run === undefined) throw new TsparkError("PROTOCOL", `a frame of ${describeKey(key)}, which the task does not read`);
          if (this.ordered) {
            if (run < this.run) throw new TsparkError("PROTOCOL", `a frame of ${describeKey(key)} after the frames of a later member of the union`);
            this.run = run;
          }
          if (key === mine.key) out.push(decodeRecords(batch));
          for (const other of this.readers) if (other !== mine && other.key === key && !this.done.has(other)) this.keep(other, batch);
        }
        yield* out;
      }
    } finally {
      this.done.add(mine);
      this.drop(mine);
    }
  }

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
    if (!early.file && this.memoryBytes + body.length <= this.memoryLimit) {
      early.memory.push(Buffer.from(body));
      this.memoryBytes += body.length;
      return;
    }
    early.file ??= new FrameFileWriter(join(this.scratch(), `early-frames-${process.pid}-${this.files++}.tmp`));
    early.file.writeEncodedBatch(body);
  }
}

/** Names a source's partition. */
function keyOf(source: number, partition: number): string {
  return `${source}/${partition}`;
}

function describeKey(key: string): string {
  const [source, partition] = key.split("/");
  return `${source} (partition ${partition})`;
}

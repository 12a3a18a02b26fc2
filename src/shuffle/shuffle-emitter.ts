/**
 * The map side of a shuffle that Spark moves (PySpark's way): records routed, combined and
 * buffered as map-side-buffer.ts does, but nothing is written here. Full batches, and
 * everything buffered when memory runs out and at the end, become (reduce partition, frame)
 * pairs the task hands on; Spark's shuffle writes them, and the reduce side merges what it
 * reads (partial combiners of one key may come from several frames of one map task).
 *
 * Each frame is a record batch behind an 8-byte tag: the shuffle's id and the reduce
 * partition (little-endian; persisted RDDs Spark keeps are tagged so too). A task handed the
 * frames of several shuffles, or of several partitions, in one stream (a join, a coalesce)
 * tells them apart by it.
 */
import type { Aggregator } from "./aggregator.js";
import type { TaskResources } from "./task-resources.js";
import { MapSideBuffer } from "./map-side-buffer.js";
import { TSPARK_BATCHES, type BatchCodec } from "../serde/record-serializers.js";

/** One frame of a shuffle's output, for reduce partition `partition`. */
export type EmittedFrame = [partition: number, frame: Buffer];

export class ShuffleEmitter extends MapSideBuffer {
  private out: EmittedFrame[] = [];
  private bytes = 0;

  constructor(
    private readonly shuffleId: number,
    numPartitions: number,
    partitionOf: ((key: unknown) => number) | "hash",
    task: Pick<TaskResources, "memoryBytes" | "metrics">,
    aggregator?: Aggregator,
    codec?: BatchCodec,
  ) {
    super(numPartitions, partitionOf, task, aggregator, codec);
  }

  /** Frames with room for their tag (Spark's transport carries their length; its shuffle, their checksums). */
  protected override frameOf(records: unknown[]): Buffer {
    return this.codec.encode(records, FRAME_TAG_BYTES);
  }

  /** Full batches go out at once: the reduce side gets them in the order they came. */
  protected override encodedFull(p: number, frame: Buffer): void {
    this.emit(p, frame);
  }

  protected spill(): void {
    for (let p = 0; p < this.numPartitions; p++) this.takeFrames(p, (frame) => this.emit(p, frame));
  }

  private emit(p: number, frame: Buffer): void {
    tagFrame(frame, this.shuffleId, p);
    this.out.push([p, frame]);
    this.bytes += frame.length;
  }

  /** Everything still buffered goes out (the task's input has ended). */
  finish(): void {
    this.spill();
  }

  /** The frames emitted since the last call. */
  takeEmitted(): EmittedFrame[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Bytes emitted so far (the task's shuffle write). */
  get emittedBytes(): number {
    return this.bytes;
  }
}

/** Bytes before the batch in a tagged frame: its source (a shuffle, a persisted RDD) and partition. */
export const FRAME_TAG_BYTES = 8;

/** Writes the tag into a frame made with FRAME_TAG_BYTES of header (a codec's encode(records, FRAME_TAG_BYTES)). */
export function tagFrame(frame: Buffer, source: number, partition: number): Buffer {
  frame.writeUInt32LE(source, 0);
  frame.writeUInt32LE(partition, 4);
  return frame;
}

/** A batch of records as a tagged frame. */
export function encodeTaggedBatch(records: unknown[], source: number, partition: number, codec: BatchCodec = TSPARK_BATCHES): Buffer {
  return tagFrame(codec.encode(records, FRAME_TAG_BYTES), source, partition);
}

/** The source, partition and encoded batch of a tagged frame. */
export function taggedFrameOf(frame: Buffer): { source: number; partition: number; batch: Buffer } {
  return { source: frame.readUInt32LE(0), partition: frame.readUInt32LE(4), batch: frame.subarray(FRAME_TAG_BYTES) };
}

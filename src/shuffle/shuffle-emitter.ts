/**
 * The map side of a shuffle that Spark moves (PySpark's way): records routed, combined and
 * buffered as map-side-buffer.ts does, but nothing is written here. Full batches, and
 * everything buffered when memory runs out and at the end, become (reduce partition, frame)
 * pairs the task hands on; Spark's shuffle writes them, and the reduce side merges what it
 * reads (partial combiners of one key may come from several frames of one map task).
 *
 * Each frame is a record batch behind an 8-byte tag: the shuffle's id and the reduce
 * partition (little-endian). A reduce task handed the frames of several shuffles, or of
 * several partitions, in one stream (a join, a coalesce) tells them apart by it.
 */
import type { Aggregator } from "./aggregator.js";
import type { TaskResources } from "./task-resources.js";
import { MapSideBuffer } from "./map-side-buffer.js";

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
  ) {
    super(numPartitions, partitionOf, task, aggregator);
  }

  protected override get frameHeaderBytes(): number {
    return 8;
  }

  /** Full batches go out at once: the reduce side gets them in the order they came. */
  protected override encodedFull(p: number, frame: Buffer): void {
    this.emit(p, frame);
  }

  protected spill(): void {
    for (let p = 0; p < this.numPartitions; p++) this.takeFrames(p, (frame) => this.emit(p, frame));
  }

  private emit(p: number, frame: Buffer): void {
    frame.writeUInt32LE(this.shuffleId, 0);
    frame.writeUInt32LE(p, 4);
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

/** Bytes before the batch in a frame a ShuffleEmitter made. */
export const SHUFFLE_FRAME_TAG_BYTES = 8;

/** The shuffle, reduce partition and encoded batch of a frame a ShuffleEmitter made. */
export function shuffleFrameOf(frame: Buffer): { shuffleId: number; partition: number; batch: Buffer } {
  return { shuffleId: frame.readUInt32LE(0), partition: frame.readUInt32LE(4), batch: frame.subarray(SHUFFLE_FRAME_TAG_BYTES) };
}

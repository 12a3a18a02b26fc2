/**
 * What every map side of a shuffle does before its output leaves the task: records are routed
 * to reduce partitions, combined by key when the operation allows it, and buffered within the
 * task's memory budget. Where buffered output goes when memory runs out and at the end is the
 * subclass's: files of tspark's own shuffle (shuffle-writer.ts), or frames handed to Spark's
 * shuffle (shuffle-emitter.ts).
 */
import { encodeFrame } from "./frame-file.js";
import { TSPARK_BATCHES, inBatches, type BatchCodec } from "../serde/record-serializers.js";
import { SizeTracker } from "./size-estimator.js";
import type { Aggregator } from "./aggregator.js";
import { CombinerMap } from "./combiner-map.js";
import { portableHash } from "./portable-hash.js";
import type { TaskResources } from "./task-resources.js";
import { KeyHashCollector, mayContain, type JoinSide } from "./key-filter.js";

/** Records seen before deciding whether the map-side combine pays. */
const COMBINE_TRIAL_RECORDS = 100_000;
/** The combine is skipped when more than this share of the trial's records had distinct keys. */
const COMBINE_MIN_REDUCTION = 0.8;
/**
 * Uncombined records held as objects, over all reduce partitions, in batches: past this many
 * batches' worth, the partial batches are encoded too. Without the bound a map task of many
 * reduce partitions (R x batch size records) held its whole output as objects until the end,
 * which the GC promoted and copied.
 */
const PLAIN_BATCHES_HELD = 4;

export abstract class MapSideBuffer {
  private readonly plain: unknown[][] = [];
  /**
   * Without a combine, a partition's records are encoded as soon as a batch is full: the
   * bytes are several times smaller than the objects, and the objects die young instead of
   * filling the old generation.
   */
  private encoded: Buffer[][] = [];
  private encodedBytes = 0;
  /** Uncombined records held as objects, over all partitions. */
  private plainCount = 0;
  /** Per reduce partition, made on its first record: a map task of many reduce partitions sees few of them each. */
  private readonly combined: Array<CombinerMap | undefined> = [];
  private readonly tracker = new SizeTracker();
  /** Copied from the task once: the check runs at every record. */
  private readonly memoryBytes: number;

  constructor(
    protected readonly numPartitions: number,
    /** "hash": portableHash(key) % numPartitions, the hash then also indexes the combiner table. */
    private readonly partitionOf: ((key: unknown) => number) | "hash",
    /** The task's memory budget, and where its spills are counted. */
    protected readonly task: Pick<TaskResources, "memoryBytes" | "metrics">,
    private readonly aggregator?: Aggregator,
    /** How batches are encoded (the serializer of the RDD being shuffled), and their size. */
    protected readonly codec: BatchCodec = TSPARK_BATCHES,
  ) {
    this.memoryBytes = task.memoryBytes;
    this.batchSize = codec.batchSize;
    for (let p = 0; p < numPartitions; p++) {
      this.combined.push(undefined);
      this.plain.push([]);
      this.encoded.push([]);
    }
    this.combining = aggregator !== undefined;
    this.undecided = aggregator?.mapSideCombineOptional === true;
  }

  /** Records per encoded batch. */
  private readonly batchSize: number;
  /** False once the map-side combine was found not to pay (then records pass through). */
  private combining: boolean;
  /** Whether the combine is still on trial (only for aggregators that allow skipping it). */
  private undecided: boolean;
  private recordsSeen = 0;

  /**
   * A join's side (shuffle/key-filter.ts): whether a record is written, given its key and its
   * hash when hashing routes it. Undefined for every other shuffle.
   */
  private keyGate: ((key: unknown, hash: number | undefined) => boolean) | undefined;
  private keyHashes: KeyHashCollector | undefined;

  /** Makes this a join's build side (its key hashes are collected) or probe side (records whose key the filter lacks are dropped). */
  joinSide(side: JoinSide): void {
    const { keyFilter } = side;
    if (keyFilter !== undefined) {
      this.keyGate = (key, h) => mayContain(keyFilter, h ?? portableHash(key));
    } else if (side.collectKeyHashes !== undefined) {
      const hashes = (this.keyHashes = new KeyHashCollector(side.collectKeyHashes));
      this.keyGate = (key, h) => {
        // Past its share the task reports no hashes: the rest of its records take the plain path.
        if (!hashes.add(h ?? portableHash(key))) this.keyGate = undefined;
        return true;
      };
    }
  }

  /** A build side's key hashes (`null`: too many to filter by); undefined for other shuffles. */
  collectedKeyHashes(): Int32Array | null | undefined {
    return this.keyHashes?.result();
  }

  /** Adds a batch of [key, value] records. */
  write(batch: unknown[]): void {
    for (let i = 0; i < batch.length; i++) this.add(batch[i]);
  }

  /** Adds one [key, value] record (a fused map side calls this once per record it makes). */
  add(record: unknown): void {
    const rec = record as [unknown, unknown];
    let p: number;
    let h: number | undefined;
    if (this.partitionOf === "hash") {
      h = portableHash(rec[0]);
      p = h % this.numPartitions;
    } else {
      p = this.partitionOf(rec[0]);
    }
    if (this.keyGate !== undefined && !this.keyGate(rec[0], h)) return;
    if (this.combining) {
      const agg = this.aggregator!;
      if ((this.combined[p] ??= new CombinerMap()).add(rec[0], rec[1], agg, false, h)) this.tracker.add(rec);
      else if (agg.growsWithValues) this.tracker.add(rec[1]);
    } else {
      const buf = this.plain[p]!;
      buf.push(rec);
      this.tracker.add(rec);
      this.plainCount++;
      if (buf.length >= this.batchSize) this.encodePlain(p);
      else if (this.plainCount >= this.batchSize * PLAIN_BATCHES_HELD) this.encodeAllPlain();
    }
    if (this.undecided && ++this.recordsSeen === COMBINE_TRIAL_RECORDS) this.decideCombine();
    // Checked at every record (an estimate times a count): records may be whole files.
    if (this.tracker.estimatedBytes + this.encodedBytes > this.memoryBytes) {
      this.spill();
      this.tracker.reset();
      this.encodedBytes = 0;
    }
  }

  /** Partition p's uncombined records, encoded as one frame. */
  private encodePlain(p: number): void {
    const buf = this.plain[p]!;
    this.plain[p] = [];
    this.plainCount -= buf.length;
    this.tracker.release(buf.length);
    this.encodedFull(p, this.frameOf(buf));
  }

  /** Every partition's uncombined records, encoded: the objects die young, whatever the number of partitions. */
  private encodeAllPlain(): void {
    for (let p = 0; p < this.numPartitions; p++) {
      if (this.plain[p]!.length > 0) this.encodePlain(p);
    }
  }

  /** A batch of records as one frame (frame-file.ts's; a subclass may frame them otherwise). */
  protected frameOf(records: unknown[]): Buffer {
    return encodeFrame(records, this.codec);
  }

  /** A full batch of partition p, encoded as a frame: kept until the next spill (a subclass may send it on at once). */
  protected encodedFull(p: number, frame: Buffer): void {
    this.encoded[p]!.push(frame);
    this.encodedBytes += frame.length;
  }

  /**
   * Adaptive partial aggregation (as Trino's): when most keys of the first records are
   * distinct, combining costs a table insert per record and saves little, so the rest of
   * the records are written as they are (the reduce side combines them anyway).
   */
  private decideCombine(): void {
    this.undecided = false;
    let keys = 0;
    for (const m of this.combined) keys += m?.size ?? 0;
    if (keys > this.recordsSeen * COMBINE_MIN_REDUCTION) this.combining = false;
  }

  /** Moves everything buffered out of memory (the buffers are emptied). */
  protected abstract spill(): void;

  /** Hands partition p's buffered records, as frames in the order they came, then its combined ones, to `out`; empties its buffers. */
  protected takeFrames(p: number, out: (frame: Buffer) => void): void {
    for (const frame of this.encoded[p]!) out(frame);
    this.encoded[p] = [];
    const plain = this.plain[p]!;
    this.plain[p] = [];
    this.plainCount -= plain.length;
    for (const b of inBatches(plain, this.batchSize)) out(this.frameOf(b));
    const table = this.combined[p];
    if (table) {
      this.combined[p] = undefined;
      for (const b of table.batches(this.batchSize)) out(this.frameOf(b));
    }
  }
}

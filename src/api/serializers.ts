/**
 * Serializers a user chooses for an RDD's records (PySpark's `serializer` and `batchSize`):
 * how the records are written where tspark moves or keeps them in bulk, that is shuffles and
 * disk caches, on every engine. A context has a default (`new SparkContext({ serializer })`),
 * an RDD may have its own (`rdd.withSerializer(...)`). Batches say how they were written
 * (serde/record-serializers.ts), so readers need no setting.
 */
import { TsparkError } from "../errors.js";
import type { JobPlanner } from "../scheduler/job-planner.js";
import type { SerializerSpec } from "../serde/record-serializers.js";

/** What a serializer accepts: how many records go in one batch (default 4096). */
export interface SerializerOptions {
  /** Records per batch in shuffle and cache files: fewer bound each batch's memory, more amortize its cost. */
  batchSize?: number;
}

/** @internal A batch size as given, refused unless it is a positive integer. */
export function checkedBatchSize(batchSize: number | undefined): number | undefined {
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new TsparkError("INVALID_ARGUMENT", `batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  return batchSize;
}

/** A built-in serializer's spec: its batch size only when one is set. */
function builtInSpec(kind: "tspark" | "json", batchSize: number | undefined): SerializerSpec {
  return batchSize === undefined ? { kind } : { kind, batchSize };
}

/** @internal A serializer as given, refused unless it is one of tspark's. */
export function checkedSerializer<S>(serializer: S): S {
  if (!(serializer instanceof Serializer)) throw new TsparkError("INVALID_ARGUMENT", "a serializer must be a TsparkSerializer, JSONSerializer or CustomSerializer");
  return serializer;
}

/** How records are written in shuffles and disk caches. Choose one of the subclasses. */
export abstract class Serializer<T = unknown> {
  /** Records per batch; undefined: the context's batchSize, else 4096. */
  readonly batchSize: number | undefined;
  /** Only for typing: the record type. */
  declare readonly __recordType?: (record: T) => void;

  protected constructor(options: SerializerOptions = {}) {
    this.batchSize = checkedBatchSize(options.batchSize);
  }

  /** @internal What plans say of this serializer (a custom one's functions are captured by `planner`). */
  abstract specOf(planner: JobPlanner, batchSize: number | undefined): SerializerSpec;
}

/**
 * tspark's own, the default: V8's structured serialization extended to keep the classes of
 * records (instances of your classes come back as such), with a faster column layout for
 * batches of [string, number]-style pairs and groups ([string, number[]]). PySpark's PickleSerializer, in effect.
 *
 * @example
 * ```ts
 * const sc2 = new SparkContext({ master: "local[2]", serializer: new TsparkSerializer({ batchSize: 1024 }) });
 * await sc2.parallelize([["a", 1], ["a", 2]]).reduceByKey((x, y) => x + y).collect(); // → [["a", 3]]
 * await sc2.stop();
 * ```
 */
export class TsparkSerializer extends Serializer {
  /**
   * tspark's own serializer, with `batchSize` records per batch (default: the context's, else 4096).
   *
   * @example
   * ```ts
   * new TsparkSerializer({ batchSize: 512 }).batchSize; // → 512
   * ```
   */
  constructor(options: SerializerOptions = {}) {
    super(options);
  }

  /** @internal */
  specOf(_planner: JobPlanner, batchSize: number | undefined): SerializerSpec {
    return builtInSpec("tspark", this.batchSize ?? batchSize);
  }
}

/**
 * JSON text (UTF-8), for records another tool reads, or to check that records are plain
 * data. Its limits are JSON's: Map, Set, Date, bigint, undefined, NaN, -0, typed arrays and
 * class instances do not come back as they were (a Date becomes its ISO string, a Map `{}`,
 * an instance a plain object); a bigint cannot be written at all. PySpark's MarshalSerializer
 * plays the same part: simple values only.
 *
 * @example
 * ```ts
 * const words = sc.parallelize(["a", "b", "a"]).map((w) => [w, 1] as [string, number]).withSerializer(new JSONSerializer());
 * await words.reduceByKey((x, y) => x + y).sortByKey().collect(); // → [["a", 2], ["b", 1]]
 * ```
 */
export class JSONSerializer extends Serializer {
  /**
   * A JSON serializer, with `batchSize` records per batch (default: the context's, else 4096).
   *
   * @example
   * ```ts
   * new JSONSerializer().batchSize; // → undefined
   * ```
   */
  constructor(options: SerializerOptions = {}) {
    super(options);
  }

  /** @internal */
  specOf(_planner: JobPlanner, batchSize: number | undefined): SerializerSpec {
    return builtInSpec("json", this.batchSize ?? batchSize);
  }
}

/** A user's encoding of one record, for CustomSerializer (protobuf, MessagePack, ...). */
export interface RecordEncoding<T> {
  /**
   * One record's bytes.
   *
   * @example
   * ```ts
   * const utf8: RecordEncoding<string> = { encode: (s) => new TextEncoder().encode(s), decode: (b) => new TextDecoder().decode(b) };
   * utf8.encode("hi").length; // → 2
   * ```
   */
  encode(record: T): Uint8Array;
  /**
   * The record `encode` gave these bytes for.
   *
   * @example
   * ```ts
   * const utf8: RecordEncoding<string> = { encode: (s) => new TextEncoder().encode(s), decode: (b) => new TextDecoder().decode(b) };
   * utf8.decode(utf8.encode("hi")); // → "hi"
   * ```
   */
  decode(bytes: Uint8Array): T;
}

/**
 * Your own encoding of one record, e.g. protobuf or MessagePack for your types: `encode`
 * and `decode` travel to the workers as functions do (they may use imports and captured
 * values). Each record is encoded on its own, and a batch holds their bytes.
 *
 * @example
 * ```ts
 * const utf8 = new CustomSerializer<[string, number]>(
 *   { encode: ([k, v]) => new TextEncoder().encode(`${k}\t${v}`), decode: (b) => { const [k, v] = new TextDecoder().decode(b).split("\t"); return [k!, Number(v)]; } },
 *   { name: "tsv" },
 * );
 * const pairs = sc.parallelize([["x", 1], ["y", 2], ["x", 3]] as Array<[string, number]>).withSerializer(utf8);
 * await pairs.reduceByKey((a, b) => a + b).sortByKey().collect(); // → [["x", 4], ["y", 2]]
 * ```
 */
export class CustomSerializer<T = unknown> extends Serializer<T> {
  /** Names the serializer in errors. */
  readonly name: string;
  private readonly encode: (record: T) => Uint8Array;
  private readonly decode: (bytes: Uint8Array) => T;

  /**
   * A serializer of `encoding`'s functions, named `name` in errors.
   *
   * @example
   * ```ts
   * const bytes = new CustomSerializer<string>({ encode: (s) => Buffer.from(s), decode: (b) => Buffer.from(b).toString() }, { name: "utf8", batchSize: 100 });
   * [bytes.name, bytes.batchSize]; // → ["utf8", 100]
   * ```
   */
  constructor(encoding: RecordEncoding<T>, options: SerializerOptions & { name?: string } = {}) {
    super(options);
    if (typeof encoding?.encode !== "function" || typeof encoding.decode !== "function") {
      throw new TsparkError("INVALID_ARGUMENT", "CustomSerializer needs { encode(record): Uint8Array, decode(bytes): record }");
    }
    this.name = options.name ?? "custom";
    // Bound to the object that holds them, which travels with them (a method may use `this`).
    this.encode = encoding.encode.bind(encoding);
    this.decode = encoding.decode.bind(encoding);
  }

  /** @internal */
  specOf(planner: JobPlanner, batchSize: number | undefined): SerializerSpec {
    return planner.customSerializer(this.name, this.encode, this.decode, this.batchSize ?? batchSize);
  }
}

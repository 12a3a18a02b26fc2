/**
 * A worker's broadcasts on Spark: the files Spark's executor sends (each once, by Spark's
 * broadcast id, with word when to drop one) and which of tspark's broadcasts they carry.
 *
 * Spark drops a file whenever a task's functions do not use its broadcast, so a decoded value
 * outlives its file: it is dropped when a newer Spark broadcast carries its tspark broadcast
 * (unpersisted, then used again), or when the newest command seen carries it no more
 * (unpersisted or destroyed), not at every stage that does not use it. A command of an older
 * job's RDD, which Spark may run again, has an older epoch and drops nothing.
 */
import type { WorkerRuntime } from "../../worker/worker-runtime.js";
import type { BroadcastEntry } from "./task-header.js";

export class WorkerBroadcasts {
  /** The files Spark sent, by Spark's broadcast id. */
  private readonly paths = new Map<bigint, string>();
  /** tspark's broadcasts met, each with the newest Spark broadcast carrying it. */
  private readonly carriedBy = new Map<number, number>();
  /** The newest driver's view of the broadcasts seen (TaskCommand.broadcastEpoch). */
  private epoch = 0;

  /** The file of Spark broadcast `sparkId`, if Spark sent it. */
  fileOf(sparkId: number | undefined): string | undefined {
    return sparkId === undefined ? undefined : this.paths.get(BigInt(sparkId));
  }

  /**
   * Takes a task's header `entries` (files added and dropped) and its command's `carried`
   * broadcasts (tspark id -> Spark broadcast, as of `epoch`): sets the files the task reads
   * its broadcasts from and drops the decoded values no longer current, in `runtime`.
   */
  update(entries: readonly BroadcastEntry[], carried: ReadonlyArray<readonly [number, number]>, epoch: number, runtime: Pick<WorkerRuntime, "broadcasts" | "broadcastFiles">): void {
    for (const b of entries) {
      if ("dropId" in b) {
        const path = this.paths.get(b.dropId);
        this.paths.delete(b.dropId);
        for (const [id, file] of runtime.broadcastFiles) if (file === path) runtime.broadcastFiles.delete(id);
      } else if (b.path !== undefined) {
        this.paths.set(b.id, b.path);
      }
    }
    const drop = (id: number) => {
      this.carriedBy.delete(id);
      runtime.broadcasts.delete(id);
    };
    if (epoch >= this.epoch) {
      this.epoch = epoch;
      const now = new Map(carried);
      for (const id of [...this.carriedBy.keys()]) if (!now.has(id)) drop(id);
    }
    for (const [id, sparkId] of carried) {
      const known = this.carriedBy.get(id);
      if (known === undefined || sparkId > known) {
        if (known !== undefined) drop(id);
        this.carriedBy.set(id, sparkId);
      }
      // Any carrier's file holds the same value: an older job's task reads the one it lists.
      const file = this.fileOf(sparkId);
      if (file !== undefined) runtime.broadcastFiles.set(id, file);
    }
  }
}

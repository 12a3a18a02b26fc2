/**
 * The driver's side of joins' key filters (shuffle/key-filter.ts): which map stages collect
 * key hashes (a join's `other` side, the build side), the filter each probe side's map tasks
 * get, and what keeps the filtered outputs true when the build side is computed again.
 *
 * A probe side's map outputs hold only records whose key passed the filter they were written
 * with. If a lost build output is recomputed and now has a key that filter lacks (its input
 * changed, or its function is not deterministic), the probe's outputs are forgotten and
 * written again, so the join sees every record the new build side needs. Build outputs carry
 * their hashes until the probe side has used or checked them; then the hashes are dropped.
 * A probe's lost outputs are written again through the filter of its others; once it has
 * none left (all lost, or forgotten as above), it is written unfiltered. A task about to read
 * a probe whose build side another job computed again, before that check, fails its stage
 * (FETCH_FAILED) instead, and the job's next attempt makes the check.
 */
import { log } from "../util/log.js";
import { TsparkError } from "../errors.js";
import { SHUFFLE_DEPENDENCY, type Lineage, type ShuffleDependency } from "./lineage.js";
import type { MapOutputTracker } from "./map-output-tracker.js";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import { keyFilterOf, keyHashesPerTask, mayContain, type JoinSide, type KeyFilterSpec } from "../shuffle/key-filter.js";

export class JoinKeyFilters {
  constructor(private readonly mapOutputs: MapOutputTracker) {}

  /** The joins among `nodes`: each filtered side's (probe's) shuffle, and its build side's (whose map tasks collect key hashes). */
  joinsIn(nodes: Iterable<Lineage>, shuffleOf: (node: Lineage) => ShuffleDependency | undefined): Map<number, number> {
    const joins = new Map<number, number>();
    for (const node of nodes) {
      const probe = shuffleOf(node);
      const build = probe?.keysFrom?.[SHUFFLE_DEPENDENCY]();
      if (probe !== undefined && build !== undefined) joins.set(probe.shuffleId, build.shuffleId);
    }
    return joins;
  }

  /**
   * Before a task reading `shuffles` launches: a probe among them, written through a filter,
   * whose build side has outputs not checked against that filter yet (computed again by
   * another job since this one's checkProbe) fails the stage with FETCH_FAILED. The job's
   * next attempt checks them; the task never joins a new build side with a probe side
   * filtered by the old one's keys.
   */
  checkLaunch(shuffles: readonly number[], joins: ReadonlyMap<number, number>): void {
    for (const probe of shuffles) {
      const build = joins.get(probe);
      if (build === undefined || !(this.mapOutputs.statuses(build) ?? []).some((s) => s.keyHashes !== undefined)) continue;
      if (this.filtersOf(probe).size > 0) {
        throw new TsparkError("FETCH_FAILED", `shuffle ${build} was computed again, and the join side filtered by its keys (shuffle ${probe}) has not been checked against it yet`);
      }
    }
  }

  /** The filters a probe shuffle's registered outputs were written with. */
  private filtersOf(shuffleId: number): Set<KeyFilterSpec> {
    return new Set((this.mapOutputs.statuses(shuffleId) ?? []).flatMap((s) => s.keyFilter ?? []));
  }

  /** Whether a probe shuffle with all its outputs must still see its build side's (recomputed) outputs. */
  mustCheck(shuffle: ShuffleDependency): boolean {
    return shuffle.keysFrom !== undefined && this.filtersOf(shuffle.shuffleId).size > 0;
  }

  /**
   * Before a probe's map stage: forgets its outputs when build outputs it has not seen have a
   * key its filters lack.
   */
  checkProbe(probe: ShuffleDependency): void {
    const filters = [...this.filtersOf(probe.shuffleId)];
    const build = probe.keysFrom?.[SHUFFLE_DEPENDENCY]();
    if (filters.length === 0 || build === undefined) return;
    const fresh = (this.mapOutputs.statuses(build.shuffleId) ?? []).filter((s) => s.keyHashes !== undefined);
    const passes = (h: number) => filters.every((f) => mayContain(f, h));
    const kept = fresh.every((s) => s.keyHashes != null && s.keyHashes.every(passes));
    for (const s of fresh) delete s.keyHashes;
    if (kept) return;
    log("WARN", "scheduler", `${probe.mapStageName}: shuffle ${build.shuffleId}, recomputed, has keys its filter lacks; writing this side's map outputs again`);
    this.mapOutputs.unregister(probe.shuffleId);
  }

  /**
   * A map stage's part in a join's key filter: a build side collects its key hashes; a probe
   * side gets the filter of its build side's (none when the build side has too many keys, or
   * its outputs' hashes were dropped already).
   */
  sideOf(shuffle: ShuffleDependency, builds: ReadonlySet<number>): JoinSide | undefined {
    if (builds.has(shuffle.shuffleId)) return { collectKeyHashes: keyHashesPerTask(shuffle.parent.getNumPartitions()) };
    const build = shuffle.keysFrom?.[SHUFFLE_DEPENDENCY]();
    if (build === undefined) return undefined;
    // Lost outputs of a filtered side are written through the filter its other outputs
    // were (checkProbe found every key of the build side in it).
    const kept = [...this.filtersOf(shuffle.shuffleId)].pop();
    if (kept !== undefined) return { keyFilter: kept };
    const statuses = this.mapOutputs.statuses(build.shuffleId) ?? [];
    const hashes = statuses.map((s) => s.keyHashes);
    const keyFilter = statuses.length === build.parent.getNumPartitions() ? keyFilterOf(hashes) : undefined;
    for (const s of statuses) delete s.keyHashes;
    if (keyFilter === undefined) {
      const why = hashes.some((h) => h === undefined) ? "its key hashes were used already" : "it has too many keys";
      log("INFO", "scheduler", `${shuffle.mapStageName}: not filtered by the keys of shuffle ${build.shuffleId}: ${why}`);
      return undefined;
    }
    log("INFO", "scheduler", `${shuffle.mapStageName}: writing only the keys of shuffle ${build.shuffleId} (${keyFilter.keys} distinct, a ${keyFilter.words.length * 4}-byte filter)`);
    return { keyFilter };
  }

  /** The statuses of a map stage's outputs, each marked with the key filter its records went through (if any). */
  written(statuses: MapStatus[], side: JoinSide | undefined): MapStatus[] {
    const filter = side?.keyFilter;
    return filter === undefined ? statuses : statuses.map((s) => ({ ...s, keyFilter: filter }));
  }
}

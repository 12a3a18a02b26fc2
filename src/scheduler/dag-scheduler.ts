/**
 * Turns jobs into stages (Spark's DAGScheduler). A job (one action) runs the map stage of
 * every shuffle its lineage needs and has not got yet (parents first, independent shuffles
 * at once but a join's side after the side whose keys filter it, a map stage another job is
 * already running shared, only the missing map outputs recomputed), then its result stage.
 * When a stage finds shuffle output gone (FETCH_FAILED), the lost map outputs are forgotten
 * and recomputed and the stage runs again. Jobs are
 * registered here, and cancelled by id, group or tag. One stage's tasks are the
 * TaskScheduler's.
 */
import { TsparkError } from "../errors.js";
import { log } from "../util/log.js";
import { JobPlanner } from "./job-planner.js";
import type { ListenerBus } from "./listener-bus.js";
import { jobDag } from "./job-dag.js";
import { walkLineage, runPendingCheckpoints, SHUFFLE_DEPENDENCY, type Lineage, type ShuffleDependency } from "./lineage.js";
import type { MapOutputTracker } from "./map-output-tracker.js";
import { shufflesRead, type PartitionPlan } from "./plan.js";
import type { TaskScheduler } from "./task-scheduler.js";
import type { JobProperties, JobState } from "./job.js";
import type { MapStatus } from "../shuffle/shuffle-writer.js";
import { JoinKeyFilters } from "./join-key-filters.js";

/** What an action asks for: partitions of a lineage's last node, with the action's work on top. */
export interface JobSpec {
  /** e.g. "count at app.ts:12" (taken at the action's call). */
  name: string;
  props: JobProperties;
  rdd: Lineage;
  /** Partitions to compute (default all). */
  partitions: number[] | undefined;
  /** The result task's plan of partition `p` (the node's plan with the action's steps applied). */
  resultPlan(p: number, planner: JobPlanner): PartitionPlan;
  /** Whether results count against tspark.driver.maxResultSize. */
  countResultSize: boolean;
  /** Awaited before the lineage is prepared (the driver waits for its web UI to listen). */
  beforePrepare?(): Promise<void>;
  /** Called once the lineage is prepared, before any stage runs. */
  afterPrepare?(): void;
}

/** What an ended job's cancelSignal settles with (nothing races it any more). */
const JOB_ENDED = new TsparkError("JOB_CANCELLED", "the job has ended");

/** Finished jobs kept in the tables (Spark's spark.ui.retainedJobs default). */
export const RETAINED_JOBS = 1000;

export class DAGScheduler {
  private nextJobId = 0;
  readonly jobs = new Map<number, JobState>();
  /** The running map stage of each shuffle: a second job needing it waits for it instead. */
  private readonly runningMapStages = new Map<number, Promise<void>>();

  constructor(
    private readonly tasks: TaskScheduler,
    private readonly mapOutputs: MapOutputTracker,
    /** How often a stage runs again after FETCH_FAILED (tspark.task.maxFailures). */
    private readonly maxFailures: number,
    private readonly bus: ListenerBus,
    /** Whether a join's side is filtered by the other side's keys (tspark.join.keyFilter). */
    joinKeyFilter = true,
  ) {
    this.keyFilters = joinKeyFilter ? new JoinKeyFilters(mapOutputs) : undefined;
  }

  /**
   * How a job's task plans are made as they launch: the shuffles they read, with the segments
   * of the map outputs registered then, once a join's filtered side read is known to match its
   * build side's outputs (`joins`: the job's probe shuffles and their build shuffles).
   */
  private launchPlans(joins: ReadonlyMap<number, number>): (plan: PartitionPlan) => PartitionPlan {
    return (plan) => {
      // A plan that reads no shuffle is launched as it is, not copied.
      const shuffles = shufflesRead(plan);
      if (shuffles.length === 0) return plan;
      if (this.keyFilters && joins.size > 0) this.keyFilters.checkLaunch(shuffles, joins);
      return this.mapOutputs.withSegments(plan);
    };
  }

  /** Joins' key filters (scheduler/join-key-filters.ts); undefined when tspark.join.keyFilter is off. */
  private readonly keyFilters: JoinKeyFilters | undefined;

  /** Runs a job: its stages, then the checkpoints of its lineage; resolves with each partition's records. */
  async runJob(spec: JobSpec): Promise<unknown[][]> {
    const { name, rdd } = spec;
    const job = this.submitJob(name, spec.props, rdd);
    try {
      await spec.beforePrepare?.();
      // Parents first: a node's prepare() may plan from its parents (a sort samples its input).
      for (const node of walkLineage(rdd)) await node.prepare();
      spec.afterPrepare?.();
      const out = await this.runJobStages(job, spec);
      this.endJob(job);
      log("INFO", "scheduler", `Job ${job.jobId} finished: ${name}, took ${((Date.now() - job.submissionTime) / 1000).toFixed(3)} s`);
      await runPendingCheckpoints(rdd);
      return out;
    } catch (err) {
      this.endJob(job, err);
      log("INFO", "scheduler", `Job ${job.jobId} failed: ${name}: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Registers a job: the status tracker and the listeners see it from now on. */
  private submitJob(name: string, props: JobProperties, rdd: Lineage): JobState {
    let cancelWith!: (e: TsparkError) => void;
    const cancelSignal = new Promise<never>((_, reject) => (cancelWith = reject));
    cancelSignal.catch(() => {});
    const job: JobState = {
      jobId: this.nextJobId++,
      name,
      props,
      stageIds: [],
      status: "RUNNING",
      submissionTime: Date.now(),
      completionTime: undefined,
      error: undefined,
      cancelled: undefined,
      runningTasks: new Set(),
      cancelSignal,
      cancel: (err, interrupt = job.props.interruptOnCancel) => {
        if (job.cancelled || job.status !== "RUNNING") return;
        job.cancelled = err;
        cancelWith(err);
        for (const t of job.runningTasks) this.tasks.killTask(t, interrupt);
      },
      releaseSignal: () => cancelWith(JOB_ENDED),
    };
    this.jobs.set(job.jobId, job);
    this.bus.post({ event: "jobStart", time: job.submissionTime, jobId: job.jobId, name, description: props.description, group: props.group, dag: jobDag(rdd) });
    return job;
  }

  private endJob(job: JobState, error?: unknown): void {
    // A failed job's other stages (the other side of a join, say) launch no more tasks and
    // drop what their running ones return, as Spark cancels a failed job's independent stages.
    if (error !== undefined && !job.cancelled) job.cancel(new TsparkError("JOB_CANCELLED", `Job ${job.jobId} cancelled: another of its stages failed`));
    job.status = error === undefined ? "SUCCEEDED" : "FAILED";
    job.completionTime = Date.now();
    if (error !== undefined) job.error = error instanceof Error ? error.message : String(error);
    this.bus.post({ event: "jobEnd", time: job.completionTime, jobId: job.jobId, result: job.status, error: job.error });
    job.releaseSignal();
    this.forgetOldJobs();
  }

  /**
   * Keeps the job and stage tables bounded over any number of jobs (an iterative program runs
   * thousands): past RETAINED_JOBS, the oldest finished jobs go, with their stages no kept job
   * shares (the status tracker then knows them no more, as Spark's keeps spark.ui.retainedJobs).
   */
  private forgetOldJobs(): void {
    if (this.jobs.size <= RETAINED_JOBS) return;
    const dropped: JobState[] = [];
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= RETAINED_JOBS) break;
      if (job.status === "RUNNING") continue;
      this.jobs.delete(id);
      dropped.push(job);
    }
    const kept = new Set<number>();
    for (const job of this.jobs.values()) for (const s of job.stageIds) kept.add(s);
    for (const job of dropped) for (const s of job.stageIds) if (!kept.has(s)) this.tasks.stages.delete(s);
  }

  /** Cancels running jobs that match; returns how many. `interrupt` overrides each job's interruptOnCancel. */
  cancelJobs(match: (job: JobState) => boolean, reason: string, interrupt?: boolean): number {
    let n = 0;
    for (const job of this.jobs.values()) {
      if (job.status !== "RUNNING" || job.cancelled || !match(job)) continue;
      job.cancel(new TsparkError("JOB_CANCELLED", `Job ${job.jobId} cancelled: ${reason}`), interrupt);
      n++;
    }
    return n;
  }

  /**
   * Runs a job's stages; when a stage finds shuffle output gone (FETCH_FAILED), forgets the
   * lost map outputs of the lineage's shuffles, recomputes just those, and runs the stage again.
   */
  private async runJobStages(job: JobState, spec: JobSpec): Promise<unknown[][]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runJobStagesOnce(job, spec);
      } catch (err) {
        if ((err as TsparkError).code !== "FETCH_FAILED" || attempt >= this.maxFailures || job.cancelled) throw err;
        const lost = this.forgetLostShuffleOutputs(spec.rdd);
        log("WARN", "scheduler", `${(err as Error).message}; recomputing ${lost > 0 ? `${lost} lost map output(s)` : "the map outputs its shuffles lack"} (attempt ${attempt + 1} of ${this.maxFailures})`);
      }
    }
  }

  /** Marks map outputs whose files are gone, in every shuffle of the lineage. */
  private forgetLostShuffleOutputs(rdd: Lineage): number {
    let lost = 0;
    for (const node of walkLineage(rdd)) {
      const shuffle = node[SHUFFLE_DEPENDENCY]();
      if (shuffle) lost += this.mapOutputs.checkFiles(shuffle.shuffleId);
    }
    return lost;
  }

  private async runJobStagesOnce(job: JobState, spec: JobSpec): Promise<unknown[][]> {
    const { rdd } = spec;
    const launchPlan = await this.computeShuffles(rdd, job);
    const n = rdd.getNumPartitions();
    const parts = spec.partitions ?? Array.from({ length: n }, (_, i) => i);
    for (const p of parts) if (!Number.isInteger(p) || p < 0 || p >= n) throw new TsparkError("INVALID_ARGUMENT", `partition ${p} out of range (the RDD has ${n})`);
    const planner = new JobPlanner();
    const plans = parts.map((p) => ({ partition: p, plan: spec.resultPlan(p, planner) }));
    if (plans.length === 0) return [];
    return this.tasks.runStage(job, { name: job.name, plans, closureBytes: planner.closureBytes, classes: planner.recordClassTable(), serializers: planner.serializerTable(), recordsMadeAt: rdd.callSite, countResultSize: spec.countResultSize, barrier: rdd.isBarrier(), launchPlan });
  }

  /** The shuffle a node reads and still has to (a checkpointed node's shuffle is not read again). */
  private shuffleToRead(node: Lineage): ShuffleDependency | undefined {
    return node.isCheckpointed() ? undefined : node[SHUFFLE_DEPENDENCY]();
  }

  private isComplete(shuffleId: number, numMaps: number): boolean {
    return this.mapOutputs.missingMaps(shuffleId, numMaps).length === 0;
  }

  /**
   * Runs the map stage of every shuffle the lineage needs and does not have yet, parents
   * first; independent shuffles run at the same time (the two sides of a join too, unless
   * one is filtered by the other's keys: scheduler/join-key-filters.ts). A node's
   * promise settles when every shuffle it reads has its outputs. A complete shuffle, or one
   * whose map stage is already running, is not looked behind. Resolves with how the job's
   * tasks' plans are made as they launch.
   */
  private async computeShuffles(rdd: Lineage, job: JobState): Promise<(plan: PartitionPlan) => PartitionPlan> {
    const ready = new Map<number, Promise<void>>();
    const descend = (node: Lineage) => {
      const shuffle = this.shuffleToRead(node);
      return !shuffle || (!this.isComplete(shuffle.shuffleId, shuffle.parent.getNumPartitions()) && !this.runningMapStages.has(shuffle.shuffleId));
    };
    // Dependencies first, so each node's promise can wait for its dependencies' ones. A node
    // reached by a second path (a cached table joined with its own descendant) is waited for
    // there too: the stage planned after it reads its shuffles.
    const nodes = [...walkLineage(rdd, { descend })];
    // The joins filtered by key: their build shuffles' map tasks collect key hashes.
    const joins = this.keyFilters ? this.keyFilters.joinsIn(nodes, (node) => this.shuffleToRead(node)) : new Map<number, number>();
    const builds = new Set(joins.values());
    const launchPlan = this.launchPlans(joins);
    for (const node of nodes) {
      const shuffle = this.shuffleToRead(node);
      ready.set(node.id, shuffle ? this.mapStage(shuffle, () => this.mapStageInputs(shuffle, ready), builds, job, launchPlan) : Promise.all(node.dependencies().map((d) => ready.get(d.id)!)).then(() => {}));
    }
    await ready.get(rdd.id)!;
    return launchPlan;
  }

  /**
   * What a map stage waits for: its parent, and for a join side filtered by the other
   * side's keys, that side's map stage (a sibling the walk may reach after this one: looked
   * up once the walk is done).
   */
  private async mapStageInputs(shuffle: ShuffleDependency, ready: Map<number, Promise<void>>): Promise<void> {
    const build = this.keyFilters ? shuffle.keysFrom : undefined;
    if (build !== undefined) await Promise.resolve();
    await Promise.all([ready.get(shuffle.parent.id)!, build === undefined ? undefined : ready.get(build.id)]);
  }

  /** The map stage of a shuffle: done, already running (shared), or started now after `parentReady`. */
  private mapStage(shuffle: ShuffleDependency, parentReady: () => Promise<void>, builds: ReadonlySet<number>, job: JobState, launchPlan: (plan: PartitionPlan) => PartitionPlan): Promise<void> {
    const { shuffleId } = shuffle;
    const numMaps = shuffle.parent.getNumPartitions();
    const filters = this.keyFilters;
    // A join side written through a key filter is checked against its build side's outputs, which may have been recomputed.
    if (this.isComplete(shuffleId, numMaps) && !filters?.mustCheck(shuffle)) return Promise.resolve();
    let running = this.runningMapStages.get(shuffleId);
    if (!running) {
      running = (async () => {
        await parentReady();
        filters?.checkProbe(shuffle);
        // Only the map tasks whose output is missing (all of them the first time).
        const missing = new Set(this.mapOutputs.missingMaps(shuffleId, numMaps));
        if (missing.size === 0) return;
        const side = filters?.sideOf(shuffle, builds);
        const planner = new JobPlanner();
        const plans = shuffle.mapStagePlans(planner, side).filter((p) => missing.has(p.partition));
        const results = await this.tasks.runStage(job, { name: shuffle.mapStageName, shuffleId, plans, closureBytes: planner.closureBytes, classes: planner.recordClassTable(), serializers: planner.serializerTable(), recordsMadeAt: shuffle.parent.callSite, countResultSize: false, barrier: shuffle.parent.isBarrier(), launchPlan });
        const statuses = results.map((r) => r[0] as MapStatus);
        this.mapOutputs.register(shuffleId, filters?.written(statuses, side) ?? statuses, numMaps);
      })().finally(() => this.runningMapStages.delete(shuffleId));
      this.runningMapStages.set(shuffleId, running);
    }
    return running;
  }
}

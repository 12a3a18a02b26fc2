/**
 * A job's lineage as the web UI draws it (Spark's DAG visualization): every RDD the job
 * computes or reads, the edges between them, and the stage that computes each one: the
 * job's result stage, or the map stage of a shuffle, by its id. Computed when the job is
 * submitted, from the lineage alone (no RDD is prepared or planned for it).
 */
import { DESCRIBE, SHUFFLE_DEPENDENCY, type Lineage } from "./lineage.js";

export interface DagNode {
  id: number;
  /** What the RDD is and where it was made, e.g. "PipelinedRDD[2] map -> filter at app.ts:3". */
  label: string;
  /** The stage computing it: "result", or the id of the shuffle whose map stage does. */
  stage: number | "result";
}

export interface JobDag {
  nodes: DagNode[];
  /** [from, to]: `to` is computed from `from`. */
  edges: Array<[number, number]>;
  /** The lineage had more than MAX_DAG_NODES RDDs: those nearest the job's end are kept. */
  truncated?: boolean;
}

/** RDDs a job's DAG keeps: an iterative program's lineage grows with every iteration, and every job's DAG goes into the event log. */
export const MAX_DAG_NODES = 200;

/** The DAG of the job whose final RDD is `root`. Iterative: a lineage may be thousands deep. */
export function jobDag(root: Lineage): JobDag {
  const nodes = new Map<number, DagNode>();
  const edges: Array<[number, number]> = [];
  // Breadth first from the end: a truncated DAG keeps what is nearest the job's result.
  const todo: Array<[Lineage, number | "result"]> = [[root, "result"]];
  let truncated = false;
  for (let next = 0; next < todo.length; next++) {
    const [node, stage] = todo[next]!;
    if (nodes.has(node.id)) continue;
    if (nodes.size === MAX_DAG_NODES) {
      truncated = true;
      break;
    }
    nodes.set(node.id, { id: node.id, label: node[DESCRIBE]?.() ?? `RDD[${node.id}] at ${node.callSite}`, stage });
    // A shuffle's reading side starts a stage: what it reads is its map stage's.
    const shuffle = node.isCheckpointed() ? undefined : node[SHUFFLE_DEPENDENCY]();
    for (const d of node.dependencies()) {
      edges.push([d.id, node.id]);
      todo.push([d, shuffle ? shuffle.shuffleId : stage]);
    }
  }
  const kept = truncated ? edges.filter(([from, to]) => nodes.has(from) && nodes.has(to)) : edges;
  return { nodes: [...nodes.values()].sort((a, b) => a.id - b.id), edges: kept, ...(truncated ? { truncated } : {}) };
}

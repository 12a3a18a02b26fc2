/**
 * A job's DAG (Spark's "DAG Visualization"), drawn on the server as SVG: one box per stage,
 * left to right in the order they run (a shuffle's map stage before the stages reading it),
 * the RDDs each stage computes inside it, top to bottom, and an arrow for every dependency.
 * A stage the job did not run (its shuffle output was there already) is drawn grey, "skipped".
 */
import { html, type Html } from "./html.js";
import type { JobDag, DagNode } from "../scheduler/job-dag.js";

/** A stage the job ran: its id and status, by the DAG's key ("result" or the shuffle id). */
export type RanStages = ReadonlyMap<number | "result", { stageId: number; status: string }>;

const BOX_W = 230;
const NODE_H = 26;
const NODE_GAP = 14;
const HEAD = 26;
const PAD = 10;
const COL_GAP = 50;
const ROW_GAP = 20;

interface Cluster {
  key: number | "result";
  nodes: DagNode[];
  depth: number;
  x: number;
  y: number;
  height: number;
}

/** The SVG of `dag`, its stages labelled and linked from `ran`. */
export function dagSvg(dag: JobDag, ran: RanStages): Html {
  if (dag.nodes.length === 0) return html``;
  const clusters = new Map<number | "result", Cluster>();
  for (const n of dag.nodes) {
    let c = clusters.get(n.stage);
    if (!c) clusters.set(n.stage, (c = { key: n.stage, nodes: [], depth: 0, x: 0, y: 0, height: 0 }));
    c.nodes.push(n);
  }
  const stageOf = new Map(dag.nodes.map((n) => [n.id, n.stage]));
  // A stage's column: one more than the deepest stage it reads from (stages form a DAG, so this ends).
  const parents = new Map<number | "result", Set<number | "result">>();
  for (const [from, to] of dag.edges) {
    const a = stageOf.get(from)!;
    const b = stageOf.get(to)!;
    if (a !== b) parents.set(b, (parents.get(b) ?? new Set()).add(a));
  }
  const depthOf = (key: number | "result", seen = new Set<number | "result">()): number => {
    if (seen.has(key)) return 0;
    seen.add(key);
    let d = 0;
    for (const p of parents.get(key) ?? []) d = Math.max(d, depthOf(p, seen) + 1);
    return d;
  };
  const columns: Cluster[][] = [];
  for (const c of clusters.values()) {
    c.depth = depthOf(c.key);
    (columns[c.depth] ??= []).push(c);
  }
  const position = new Map<number, { x: number; y: number }>();
  let width = 0;
  let height = 0;
  columns.forEach((col, i) => {
    let y = 0;
    for (const c of col) {
      c.x = i * (BOX_W + COL_GAP);
      c.y = y;
      c.height = HEAD + c.nodes.length * (NODE_H + NODE_GAP) - NODE_GAP + PAD;
      c.nodes.forEach((n, j) => position.set(n.id, { x: c.x + PAD, y: c.y + HEAD + j * (NODE_H + NODE_GAP) }));
      y += c.height + ROW_GAP;
    }
    width = Math.max(width, (i + 1) * (BOX_W + COL_GAP) - COL_GAP);
    height = Math.max(height, y);
  });
  const boxes = [...clusters.values()].map((c) => {
    const stage = ran.get(c.key);
    const title = stage ? html`<a href="stages/stage/?id=${stage.stageId}"><text x="${c.x + PAD}" y="${c.y + 17}" font-size="12" font-weight="600" fill="#1764b3">Stage ${stage.stageId}</text></a>` : html`<text x="${c.x + PAD}" y="${c.y + 17}" font-size="12" fill="#888">skipped</text>`;
    const fill = !stage ? "#f4f4f4" : stage.status === "FAILED" ? "#fdecea" : "#eef5fb";
    return html`<g class="stage"><rect x="${c.x}" y="${c.y}" width="${BOX_W}" height="${c.height}" rx="6" fill="${fill}" stroke="${stage ? "#9bbfe0" : "#ccc"}"${stage ? "" : html` stroke-dasharray="4 3"`}/>${title}</g>`;
  });
  const nodes = dag.nodes.map((n) => {
    const p = position.get(n.id)!;
    const short = n.label.length > 34 ? `${n.label.slice(0, 33)}…` : n.label;
    return html`<g class="rdd"><rect x="${p.x}" y="${p.y}" width="${BOX_W - 2 * PAD}" height="${NODE_H}" rx="4" fill="#fff" stroke="#888"/><text x="${p.x + 6}" y="${p.y + 17}" font-size="11">${short}</text><title>${n.label}</title></g>`;
  });
  const arrows = dag.edges.map(([from, to]) => {
    const a = position.get(from);
    const b = position.get(to);
    if (!a || !b) return html``;
    const sameStage = stageOf.get(from) === stageOf.get(to);
    const [x1, y1, x2, y2] = sameStage
      ? [a.x + (BOX_W - 2 * PAD) / 2, a.y + NODE_H, b.x + (BOX_W - 2 * PAD) / 2, b.y]
      : [a.x + BOX_W - 2 * PAD, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2];
    return html`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#555" marker-end="url(#arrow)"/>`;
  });
  return html`<h2>DAG visualization</h2>${dag.truncated ? html`<p>The lineage is long: the RDDs nearest the job's result are drawn.</p>` : ""}<svg id="dag" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="DAG of the job's stages"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>${boxes}${arrows}${nodes}</svg>`;
}

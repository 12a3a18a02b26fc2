/**
 * The event timeline of the Jobs and Job pages (Spark's "Event Timeline"): an SVG drawn on
 * the server, one bar per job (or stage) from its submission to its end, coloured by status,
 * and a lane of executors added and removed. No script: the page's own refresh redraws it.
 */
import { html, type Html } from "./html.js";
import { formatDuration } from "../util/format.js";

export interface TimelineBar {
  label: string;
  /** Where the bar links to (relative to the page's base). */
  href: string;
  start: number;
  /** Undefined: still running (drawn to `now`). */
  end: number | undefined;
  status: string;
}

export interface TimelineMark {
  time: number;
  label: string;
  kind: "added" | "removed";
}

const WIDTH = 960;
const LABEL = 220;
const ROW = 18;
const COLORS: Record<string, string> = { SUCCEEDED: "#5cb85c", COMPLETE: "#5cb85c", FAILED: "#d9534f", RUNNING: "#337ab7", ACTIVE: "#337ab7", SKIPPED: "#bbb" };

/** The timeline of `bars` (oldest first) and `marks`, from the earliest time shown to `now`. */
export function timelineSvg(bars: TimelineBar[], marks: TimelineMark[], now: number): Html {
  if (bars.length === 0 && marks.length === 0) return html``;
  const from = Math.min(...bars.map((b) => b.start), ...marks.map((m) => m.time));
  const to = Math.max(now, from + 1);
  const x = (t: number) => LABEL + ((t - from) / (to - from)) * (WIDTH - LABEL - 10);
  const lanes = bars.length + (marks.length ? 1 : 0);
  const height = lanes * ROW + 24;
  const axis = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const t = from + f * (to - from);
    return html`<line x1="${x(t)}" y1="0" x2="${x(t)}" y2="${height - 16}" stroke="#eee"/><text x="${x(t)}" y="${height - 4}" font-size="10" text-anchor="${f === 1 ? "end" : f === 0 ? "start" : "middle"}" fill="#666">+${formatDuration(t - from)}</text>`;
  });
  const rows = bars.map((b, i) => {
    const y = i * ROW + 2;
    const end = b.end ?? now;
    const w = Math.max(2, x(end) - x(b.start));
    return html`<a href="${b.href}"><text x="4" y="${y + 12}" font-size="11" fill="#1764b3">${b.label.length > 34 ? `${b.label.slice(0, 33)}…` : b.label}</text><rect x="${x(b.start)}" y="${y + 2}" width="${w}" height="${ROW - 6}" rx="2" fill="${COLORS[b.status] ?? "#999"}"><title>${b.label}: ${b.status}, ${formatDuration(end - b.start)}</title></rect></a>`;
  });
  const lane = bars.length * ROW + 2;
  const executors = marks.length
    ? html`<text x="4" y="${lane + 12}" font-size="11">Executors</text>${marks.map((m) => html`<circle cx="${x(m.time)}" cy="${lane + 8}" r="4" fill="${m.kind === "added" ? "#5cb85c" : "#d9534f"}"><title>${m.label} ${m.kind}</title></circle>`)}`
    : "";
  return html`<h2>Event timeline</h2><svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" role="img" aria-label="event timeline">${axis}${rows}${executors}</svg>`;
}

/**
 * Regenerates the small bundled data files used by the examples (deterministic: fixed seeds).
 *
 *   npx tsx examples/data/generate-data.mjs
 *
 * links.txt   - a small web graph for pagerank.ts ("src dst" per line)
 * points.txt  - 2-D points around three centers for kmeans.ts ("x y" per line)
 * access.log  - Apache combined log format lines for log-analysis.ts
 * lr-data.txt - labelled 2-D points for logistic-regression.ts ("label x1 x2", label -1 or 1)
 */
import { writeFileSync } from "node:fs";
import { mulberry32 } from "../lib/random.ts"; // the examples' own generator (tsx loads .ts)

const here = new URL(".", import.meta.url).pathname;

const pick = (rnd, xs) => xs[Math.floor(rnd() * xs.length)];

// links.txt: 30 pages, each with 1..6 distinct outlinks, skewed toward low-numbered pages.
{
  const rnd = mulberry32(7);
  const pages = Array.from({ length: 30 }, (_, i) => `page${String(i).padStart(2, "0")}`);
  const lines = [];
  for (const [i, src] of pages.entries()) {
    const out = new Set();
    const k = 1 + Math.floor(rnd() * 6);
    while (out.size < k) {
      const j = Math.floor(pages.length * rnd() * rnd()); // favours low indexes
      if (j !== i) out.add(pages[j]);
    }
    for (const dst of out) lines.push(`${src} ${dst}`);
  }
  writeFileSync(here + "links.txt", lines.join("\n") + "\n");
}

// points.txt: 100 points around each of (1, 1), (6, 8) and (9, 2), gaussian noise sd 0.6.
{
  const rnd = mulberry32(11);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const centers = [[1, 1], [6, 8], [9, 2]];
  const lines = [];
  for (let i = 0; i < 300; i++) {
    const [cx, cy] = centers[i % 3];
    lines.push(`${(cx + 0.6 * gauss()).toFixed(4)} ${(cy + 0.6 * gauss()).toFixed(4)}`);
  }
  writeFileSync(here + "points.txt", lines.join("\n") + "\n");
}

// access.log: 300 requests in Apache combined log format, plus two malformed lines.
{
  const rnd = mulberry32(2024);
  const paths = ["/", "/index.html", "/about.html", "/products", "/products/42", "/products/7", "/cart", "/checkout",
    "/api/v1/items", "/api/v1/items/42", "/static/app.js", "/static/style.css", "/images/logo.png", "/images/hero.jpg",
    "/downloads/report.pdf", "/login", "/search?q=lamp", "/robots.txt", "/favicon.ico", "/admin"];
  const agents = ["Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "curl/8.4.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"];
  const referers = ["-", "https://www.example.com/", "https://search.example.org/?q=lamps", "-"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const lines = [];
  let t = Date.UTC(2024, 2, 14, 9, 0, 0);
  for (let i = 0; i < 300; i++) {
    t += Math.floor(rnd() * 20_000);
    const d = new Date(t);
    const p2 = (n) => String(n).padStart(2, "0");
    const ts = `${p2(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
    const ip = `${10 + Math.floor(rnd() * 200)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
    const path = pick(rnd, paths);
    const method = path.startsWith("/api") && rnd() < 0.3 ? "POST" : "GET";
    const r = rnd();
    const status = path === "/admin" ? 403 : r < 0.72 ? 200 : r < 0.82 ? 304 : r < 0.9 ? 404 : r < 0.95 ? 301 : 500;
    const bytes = status === 304 ? "-" : String(status === 200 ? 200 + Math.floor(rnd() * (path.includes(".") ? 90_000 : 12_000)) : 150 + Math.floor(rnd() * 400));
    lines.push(`${ip} - - [${ts}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "${pick(rnd, referers)}" "${pick(rnd, agents)}"`);
    if (i === 100) lines.push(`garbage line without a request`);
    if (i === 200) lines.push(`10.0.0.1 - - [14/Mar/2024:10:00:00 +0000] "\\x16\\x03\\x01" 400 -`);
  }
  writeFileSync(here + "access.log", lines.join("\n") + "\n");
}

// lr-data.txt: 400 points, uniform in [-3, 3]^2, labelled by the side of the line
// 1.5*x1 - 2*x2 = 0 they fall on, with 5% of labels flipped (so the data is not separable).
{
  const rnd = mulberry32(42);
  const lines = [];
  for (let i = 0; i < 400; i++) {
    const x1 = rnd() * 6 - 3;
    const x2 = rnd() * 6 - 3;
    let label = 1.5 * x1 - 2 * x2 >= 0 ? 1 : -1;
    if (rnd() < 0.05) label = -label;
    lines.push(`${label} ${x1.toFixed(4)} ${x2.toFixed(4)}`);
  }
  writeFileSync(here + "lr-data.txt", lines.join("\n") + "\n");
}

/**
 * Logistic regression by batch gradient descent (PySpark's logistic_regression.py): each
 * iteration ships the current weights to the workers inside the map function's closure,
 * sums every point's gradient of the logistic loss with a reduce, and steps downhill.
 * Labels are -1 or 1; the starting weights come from a fixed seed, so every run prints
 * the same weights.
 *
 *   npx tspark examples/logistic-regression.ts [data=examples/data/lr-data.txt] [iterations=20]
 *
 * The input has one point per line: "label x1 x2 ...".
 */
import { SparkContext } from "tspark";
import { mulberry32 } from "./lib/random.ts";

const input = process.argv[2] ?? new URL("./data/lr-data.txt", import.meta.url).pathname;
const iterations = Number(process.argv[3] ?? 20);
const stepSize = 1.0;

interface LabeledPoint {
  y: number;
  x: number[];
}

const dot = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * b[i]!, 0);

const sc = new SparkContext({ appName: "logistic-regression" });
try {
  const points = sc
    .textFile(input, 2)
    .filter((line) => line.trim().length > 0)
    .map((line): LabeledPoint => {
      const [y, ...x] = line.trim().split(/\s+/).map(Number);
      return { y: y!, x };
    })
    .cache();
  const n = await points.count();
  const dimensions = (await points.first()).x.length;

  // Random starting weights in [-1, 1), from a fixed seed.
  const random = mulberry32(42);
  let w = Array.from({ length: dimensions }, () => 2 * random() - 1);
  console.log(`Initial w: [${w.join(", ")}]`);

  for (let i = 0; i < iterations; i++) {
    const current = w; // the closure below captures this iteration's weights
    // Gradient of log(1 + exp(-y w.x)) for one point: (1 / (1 + exp(-y w.x)) - 1) * y * x.
    const gradient = await points
      .map(({ y, x }) => {
        const scale = (1 / (1 + Math.exp(-y * dot(current, x))) - 1) * y;
        return x.map((xi) => scale * xi);
      })
      .reduce((a, b) => a.map((ai, j) => ai + b[j]!));
    w = w.map((wi, j) => wi - (stepSize / n) * gradient[j]!);
  }
  console.log(`Final w: [${w.join(", ")}]`);

  const final = w;
  const correct = await points.filter(({ y, x }) => Math.sign(dot(final, x)) === y).count();
  console.log(`Training accuracy: ${(correct / n).toFixed(4)} (${correct} of ${n})`);
} finally {
  await sc.stop();
}

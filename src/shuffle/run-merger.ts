/**
 * K-way merge of sorted runs (spill files and the in-memory remainder): a binary heap of
 * run cursors ordered by each cursor's current record.
 */
export interface RunCursor<T> {
  head: T;
  rest: Iterator<T>;
}

/** Merges sorted record iterators into one sorted iterator. */
export function* mergeSortedRuns<T>(runs: Array<Iterator<T>>, compare: (a: T, b: T) => number): Generator<T, void, undefined> {
  const heap: RunCursor<T>[] = [];
  const less = (i: number, j: number) => compare(heap[i]!.head, heap[j]!.head) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const it of runs) {
    const n = it.next();
    if (!n.done) heap.push({ head: n.value, rest: it });
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.head;
    const n = top.rest.next();
    if (n.done) {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    } else {
      top.head = n.value;
      down(0);
    }
  }
}

/** The records of a frame-file batch stream, one at a time. */
export function* flatten<T>(batches: Iterable<T[]>): Generator<T, void, undefined> {
  for (const b of batches) yield* b;
}

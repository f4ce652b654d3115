// Small, pure numbers helpers for the benchmark: percentiles and interval arithmetic.

export interface Distribution {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Nearest-rank percentile (the value at rank ceil(q·n)): always a measured sample, never an
 * interpolation. With 10 samples p99 is the maximum, and that is what it should say.
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    p50Ms: percentile(values, 0.5),
    p99Ms: percentile(values, 0.99),
    maxMs: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

export type Interval = readonly [start: number, end: number];

/**
 * Total length of the union of `intervals`, clipped to [from, to]. Overlapping calls of one pod
 * (a status read while a container starts) count once: the pod waited on the runtime then,
 * however many requests were open.
 */
export function coveredMs(intervals: readonly Interval[], from: number, to: number): number {
  const clipped = intervals
    .map(([s, e]): Interval => [Math.max(s, from), Math.min(e, to)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = Number.NaN;
  let curEnd = Number.NaN;
  for (const [s, e] of clipped) {
    if (Number.isNaN(curEnd) || s > curEnd) {
      if (!Number.isNaN(curEnd)) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else {
      curEnd = Math.max(curEnd, e);
    }
  }
  if (!Number.isNaN(curEnd)) total += curEnd - curStart;
  return total;
}

/** a / b rounded to two places; undefined when either side is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return Math.round((a / b) * 100) / 100;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median (nearest rank, so a measured value), min and max of repeated runs; NaN when none. */
export function spread(values: readonly number[]): Spread {
  return {
    median: percentile(values, 0.5),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

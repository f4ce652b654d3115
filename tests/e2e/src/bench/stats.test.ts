import assert from "node:assert/strict";
import { test } from "node:test";
import { coveredMs, percentile, ratio, spread } from "./stats.js";

test("percentile is nearest-rank: a measured sample, p99 of 10 samples is the maximum", () => {
  const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  assert.equal(percentile(ten, 0.5), 5);
  assert.equal(percentile(ten, 0.99), 10);
  assert.equal(percentile([42], 0.99), 42);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test("coveredMs counts overlapping intervals once and clips to the window", () => {
  assert.equal(coveredMs([[0, 10], [5, 15], [20, 30]], 0, 100), 25);
  assert.equal(coveredMs([[0, 10], [5, 15], [20, 30]], 8, 25), 12);
  assert.equal(coveredMs([[0, 10], [10, 20]], 0, 100), 20);
  assert.equal(coveredMs([], 0, 100), 0);
});

test("ratio is undefined without both figures", () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.equal(ratio(undefined, 2), undefined);
  assert.equal(ratio(1, 0), undefined);
});

test("spread of repeated runs: nearest-rank median (a measured run), min, max", () => {
  assert.deepEqual(spread([30, 10, 20]), { median: 20, min: 10, max: 30 });
  assert.deepEqual(spread([4, 1]), { median: 1, min: 1, max: 4 });
  assert.ok(Number.isNaN(spread([]).median));
});

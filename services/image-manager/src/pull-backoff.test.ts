import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffRemaining, IMAGE_PULL_BACKOFF, nextBackoff, type BackoffEntry } from "./pull-backoff.js";

test("the period starts at 10 s and doubles to 5 min", () => {
  let entry: BackoffEntry | undefined;
  const periods: number[] = [];
  let now = 0;
  for (let i = 0; i < 8; i++) {
    entry = nextBackoff(entry, now, "m");
    periods.push(entry.backoffMs);
    now += entry.backoffMs;
  }
  assert.deepEqual(periods, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

const cases: Array<[string, BackoffEntry | undefined, number, number]> = [
  ["no failure yet", undefined, 1000, 0],
  ["just failed", { backoffMs: 10_000, lastUpdate: 1000, message: "" }, 1000, 10_000],
  ["half way", { backoffMs: 10_000, lastUpdate: 1000, message: "" }, 6000, 5000],
  ["expired period", { backoffMs: 10_000, lastUpdate: 1000, message: "" }, 11_000, 0],
  ["long forgotten", { backoffMs: 300_000, lastUpdate: 0, message: "" }, 600_001, 0],
];
for (const [name, entry, now, want] of cases) {
  test(`remaining back-off: ${name}`, () => assert.equal(backoffRemaining(entry, now), want));
}

test("an entry not updated for 2 × max starts over", () => {
  const old: BackoffEntry = { backoffMs: 300_000, lastUpdate: 0, message: "" };
  assert.equal(nextBackoff(old, 2 * IMAGE_PULL_BACKOFF.maxMs + 1, "x").backoffMs, 10_000);
  assert.equal(nextBackoff(old, 2 * IMAGE_PULL_BACKOFF.maxMs, "x").backoffMs, 300_000);
});

test("a configurable base (tests) keeps the doubling", () => {
  const policy = { initialMs: 100, maxMs: 1000 };
  const first = nextBackoff(undefined, 0, "a", policy);
  assert.equal(nextBackoff(first, 100, "b", policy).backoffMs, 200);
  assert.equal(nextBackoff(first, 100, "b", policy).message, "b");
});

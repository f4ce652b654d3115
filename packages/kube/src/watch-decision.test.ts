import assert from "node:assert/strict";
import { test } from "node:test";
import { Backoff } from "./backoff.js";
import { nextAfterWatch, type NextStep, type WatchEnd, type WatchRun } from "./watch-decision.js";

const closed: WatchEnd = { kind: "closed" };
const expired: WatchEnd = { kind: "expired", error: new Error("410") };
const failed: WatchEnd = { kind: "failed", error: new Error("ECONNREFUSED") };

const cases: Array<{ name: string; run: WatchRun; failuresBefore: number; next: NextStep }> = [
  {
    name: "server timeout after events: watch again at once",
    run: { end: closed, events: 3, durationMs: 300_000 },
    failuresBefore: 0,
    next: { action: "watch" },
  },
  {
    name: "quiet watch that ran its course: watch again at once (the quiet-node case)",
    run: { end: closed, events: 0, durationMs: 300_000 },
    failuresBefore: 0,
    next: { action: "watch" },
  },
  {
    name: "closed at once without events: treated as a failure, back off",
    run: { end: closed, events: 0, durationMs: 5 },
    failuresBefore: 0,
    next: { action: "relist", delayMs: 200, reason: "error" },
  },
  {
    name: "expired after progress: relist at once",
    run: { end: expired, events: 10, durationMs: 50 },
    failuresBefore: 3,
    next: { action: "relist", delayMs: 0, reason: "expired" },
  },
  {
    name: "expired right away: relist after the back-off, no busy loop",
    run: { end: expired, events: 0, durationMs: 1 },
    failuresBefore: 1,
    next: { action: "relist", delayMs: 400, reason: "expired" },
  },
  {
    name: "refused: relist after the back-off",
    run: { end: failed, events: 0, durationMs: 0 },
    failuresBefore: 2,
    next: { action: "relist", delayMs: 800, reason: "error" },
  },
  {
    name: "broken after a healthy stretch: the back-off restarts from its first step",
    run: { end: failed, events: 1, durationMs: 60_000 },
    failuresBefore: 5,
    next: { action: "relist", delayMs: 200, reason: "error" },
  },
  {
    name: "broken before a second had passed without events: the back-off keeps growing",
    run: { end: failed, events: 0, durationMs: 999 },
    failuresBefore: 6,
    next: { action: "relist", delayMs: 5000, reason: "error" },
  },
];

for (const c of cases) {
  test(`after a watch: ${c.name}`, () => {
    const backoff = new Backoff();
    for (let i = 0; i < c.failuresBefore; i++) backoff.next();
    assert.deepEqual(nextAfterWatch(c.run, backoff), c.next);
  });
}

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { activeBackoff, CrashLoopBackoff, backoffKey, nextBackoffPeriod, recordRestarts, type BackoffState } from "./backoff.js";

const S = 1000;
const KEY = backoffKey("uid-1", "app");

describe("CrashLoopBackoff", () => {
  test("doubles from 10s to the 300s cap", () => {
    const b = new CrashLoopBackoff();
    let now = 0;
    const periods: number[] = [];
    for (let i = 0; i < 9; i++) {
      now += b.get(KEY) + S; // each restart comes right after the previous wait
      periods.push(b.next(KEY, now) / S);
    }
    assert.deepEqual(periods, [10, 20, 40, 80, 160, 300, 300, 300, 300]);
  });

  test("a failure right after a restart waits out the period; then it is free", () => {
    const b = new CrashLoopBackoff();
    b.next(KEY, 0); // restarted at 0, period 10s
    const finishedAt = 2 * S;
    assert.equal(b.isInBackoff(KEY, 5 * S, finishedAt), true);
    assert.equal(b.remaining(KEY, 5 * S, finishedAt), 7 * S);
    assert.equal(b.isInBackoff(KEY, 12 * S, finishedAt), false);
    assert.equal(b.remaining(KEY, 12 * S, finishedAt), 0);
  });

  test("resets when the container ran for more than 10 minutes", () => {
    const b = new CrashLoopBackoff();
    for (let i = 0; i < 7; i++) b.next(KEY, 0);
    assert.equal(b.get(KEY), 300 * S);
    const finishedAt = 10 * 60 * S + S; // ran 10 min 1 s after the last restart
    assert.equal(b.isInBackoff(KEY, finishedAt + S, finishedAt), false);
    assert.equal(b.next(KEY, finishedAt + S, finishedAt), 10 * S);
  });

  test("does not reset for a container that ran just under 10 minutes", () => {
    const b = new CrashLoopBackoff();
    for (let i = 0; i < 7; i++) b.next(KEY, 0);
    const finishedAt = 10 * 60 * S;
    assert.equal(b.next(KEY, finishedAt + S, finishedAt), 300 * S);
  });

  test("unknown keys are never in back-off", () => {
    const b = new CrashLoopBackoff();
    assert.equal(b.isInBackoff("nope", 0, 0), false);
    assert.equal(b.get("nope"), 0);
  });

  test("keys are independent", () => {
    const b = new CrashLoopBackoff();
    b.next(KEY, 0);
    b.next(KEY, 0);
    assert.equal(b.next(backoffKey("uid-1", "helper"), 0), 10 * S);
    assert.equal(b.get(KEY), 20 * S);
  });

  test("gc drops entries idle for more than 2 × max, keeps the others", () => {
    const b = new CrashLoopBackoff();
    b.next("old", 0);
    b.next("fresh", 500 * S);
    b.gc(601 * S);
    assert.equal(b.size, 1);
    assert.equal(b.get("fresh"), 10 * S);
    b.reset("fresh");
    assert.equal(b.size, 0);
  });

  test("custom policy", () => {
    const b = new CrashLoopBackoff({ initialMs: 1 * S, maxMs: 4 * S });
    assert.deepEqual([b.next(KEY, 0), b.next(KEY, 0), b.next(KEY, 0), b.next(KEY, 0)], [S, 2 * S, 4 * S, 4 * S]);
  });

  test("recordRestarts advances the back-off of restarts only", () => {
    const b = new CrashLoopBackoff();
    recordRestarts({ containersToStart: [{ backoff: { key: KEY, finishedAt: 0 } }, {}] }, b, S);
    assert.equal(b.get(KEY), 10 * S);
    assert.equal(b.size, 1);
  });
});

describe("the arithmetic alone", () => {
  const policy = { initialMs: 1 * S, maxMs: 30 * S };
  const periods: Array<[string, number | undefined, number]> = [
    ["no previous failure: the initial period", undefined, 1 * S],
    ["doubles", 1 * S, 2 * S],
    ["doubles below the cap", 8 * S, 16 * S],
    ["capped at max", 16 * S, 30 * S],
    ["stays at max", 30 * S, 30 * S],
  ];
  for (const [name, previous, want] of periods) {
    test(`nextBackoffPeriod: ${name}`, () => assert.equal(nextBackoffPeriod(previous, policy), want));
  }

  const state: BackoffState = { backoffMs: 4 * S, lastUpdate: 100 * S };
  const active: Array<[string, BackoffState | undefined, number, BackoffState | undefined]> = [
    ["none stays none", undefined, 100 * S, undefined],
    ["just updated", state, 100 * S, state],
    ["exactly 2 × max later: still kept", state, 160 * S, state],
    ["more than 2 × max later: forgotten", state, 160 * S + 1, undefined],
  ];
  for (const [name, s, at, want] of active) {
    test(`activeBackoff: ${name}`, () => assert.equal(activeBackoff(s, at, policy), want));
  }
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { Backoff } from "./backoff.js";

test("the retry back-off doubles from 200 ms to a 5 s cap and starts over after reset", () => {
  const backoff = new Backoff();
  const delays = Array.from({ length: 8 }, () => backoff.next());
  assert.deepEqual(delays, [200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  backoff.reset();
  assert.equal(backoff.next(), 200);
});

test("a long outage keeps the cap instead of overflowing", () => {
  const backoff = new Backoff({ initialMs: 1, maxMs: 10, factor: 2 });
  for (let i = 0; i < 5000; i++) backoff.next();
  assert.equal(backoff.next(), 10);
});

test("a policy that cannot work is refused at construction", () => {
  assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10, factor: 2 }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5, factor: 2 }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 10, maxMs: 50, factor: 0.5 }), RangeError);
});

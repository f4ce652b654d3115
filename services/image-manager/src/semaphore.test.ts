import assert from "node:assert/strict";
import { test } from "node:test";
import { Semaphore } from "./semaphore.js";

test("at most `limit` run at once, the rest in arrival order", async () => {
  const sem = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const gates: Array<() => void> = [];
  const jobs = [0, 1, 2, 3].map((i) =>
    sem.run(async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1]);
  assert.equal(sem.queued, 2);
  while (gates.length > 0 || order.length < 4) {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  gates.forEach((g) => g());
  await Promise.all(jobs);
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.equal(sem.active, 0);
});

test("a failing job frees its slot", async () => {
  const sem = new Semaphore(1);
  await assert.rejects(sem.run(() => Promise.reject(new Error("x"))));
  assert.equal(await sem.run(() => Promise.resolve(7)), 7);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ObservedNode, RuntimeEvent } from "@natslet/contracts";
import { createLogger } from "@natslet/telemetry";
import { Registry } from "prom-client";
import type { Clock } from "./clock.js";
import { createMetrics } from "./metrics.js";
import { Pleg } from "./pleg.js";

/** A clock that only moves when the test says so; scheduled calls run on advance(). */
class FakeClock implements Clock {
  time = 1_000_000;
  timers: { at: number; fn: () => void }[] = [];
  now = (): number => this.time;
  schedule = (fn: () => void, ms: number) => {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };
  /** Moves time forward, running due timers. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
}

const log = createLogger({ service: "test", node: "n", level: "silent" });
const flush = () => new Promise((resolve) => setImmediate(resolve));

function nodeWith(state: "running" | "exited"): ObservedNode {
  return {
    observedAt: 0,
    pods: {
      p: {
        uid: "p", name: "web", namespace: "default", sandboxes: [],
        containers: [{ id: "c", name: "app", sandboxId: "s", attempt: 0, state, createdAt: 1, image: "i", imageRef: "r", specHash: "h", ...(state === "exited" ? { exitCode: 1 } : {}) }],
      },
    },
  };
}

test("relists at once, then every period after the previous relist; events go out; a failed relist keeps the old state", async () => {
  const clock = new FakeClock();
  const results: (ObservedNode | Error)[] = [nodeWith("running"), new Error("CRI down"), nodeWith("exited")];
  const published: RuntimeEvent[] = [];
  let relists = 0;
  const pleg = new Pleg({
    periodMs: 1000,
    clock,
    relist: () => {
      const next = results[relists++] ?? nodeWith("exited");
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    publish: (e) => published.push(e),
    log,
    metrics: createMetrics(new Registry()),
  });
  assert.equal(pleg.healthy(), false, "not healthy before the first relist");
  pleg.start();
  clock.advance(0);
  await flush();
  assert.equal(relists, 1);
  assert.deepEqual(published.map((e) => e.type), ["ContainerStarted"]);
  assert.equal(pleg.healthy(), true);

  clock.advance(999);
  await flush();
  assert.equal(relists, 1, "not before the period is over");
  clock.advance(1);
  await flush();
  assert.equal(relists, 2, "the failed relist");
  assert.equal(published.length, 1);

  clock.advance(1000);
  await flush();
  assert.equal(relists, 3);
  assert.deepEqual(published.map((e) => [e.type, e.exitCode]), [["ContainerStarted", undefined], ["ContainerDied", 1]],
    "diffed against the last good relist: the exit during the failure is not lost");

  clock.advance(10_000);
  await flush();
  assert.equal(relists, 4, "one relist per due timer, no catch-up burst");
  await pleg.stop();
  clock.advance(5000);
  await flush();
  assert.equal(relists, 4, "stopped: no more relists");
  assert.equal(clock.timers.length, 0);
});

test("healthy() turns false when relists keep failing", async () => {
  const clock = new FakeClock();
  let fail = false;
  const pleg = new Pleg({
    periodMs: 1000,
    clock,
    relist: () => (fail ? Promise.reject(new Error("down")) : Promise.resolve({ pods: {}, observedAt: 0 })),
    publish: () => undefined,
    log,
    metrics: createMetrics(new Registry()),
  });
  pleg.start();
  clock.advance(0);
  await flush();
  assert.equal(pleg.healthy(), true);
  fail = true;
  for (let i = 0; i < 10; i++) {
    clock.advance(1000);
    await flush();
  }
  assert.equal(pleg.healthy(), true, "10 s: still within the limit");
  clock.advance(1000);
  await flush();
  assert.equal(pleg.healthy(), false);
  await pleg.stop();
});

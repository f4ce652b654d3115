import assert from "node:assert/strict";
import { test } from "node:test";
import { KubeApiError } from "./errors.js";
import { Reflector, type ReflectorEvent } from "./reflector.js";
import type { ListReason, NextStep, WatchRun } from "./watch-decision.js";
import { FakeClock } from "./testing/fake-clock.js";
import { ScriptedListerWatcher, added, bookmark, podList, type ListStep, type WatchStep } from "./testing/scripted-list-watch.js";

const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
const gone = () => new KubeApiError(410, "Expired", "too old resource version: 5 (900)");

interface Harness {
  clock: FakeClock;
  lw: ScriptedListerWatcher;
  reflector: Reflector;
  lists: ListReason[];
  watchEnds: Array<{ run: WatchRun; next: NextStep }>;
  /** Takes `n` events from a fresh run, then stops it. */
  take(n: number): Promise<string[]>;
}

function harness(script: { lists: ListStep[]; watches: WatchStep[] }): Harness {
  const clock = new FakeClock();
  const lw = new ScriptedListerWatcher(clock, script);
  const lists: ListReason[] = [];
  const watchEnds: Array<{ run: WatchRun; next: NextStep }> = [];
  const reflector = new Reflector({
    listerWatcher: lw,
    clock,
    random: () => 0.5,
    minWatchTimeoutSeconds: 300,
    hooks: { listed: (reason) => lists.push(reason), watchEnded: (run, next) => watchEnds.push({ run, next }) },
  });
  return {
    clock, lw, reflector, lists, watchEnds,
    async take(n) {
      const abort = new AbortController();
      const seen: string[] = [];
      for await (const event of reflector.run(abort.signal)) {
        seen.push(describe(event));
        if (seen.length === n) abort.abort();
      }
      return seen;
    },
  };
}

function describe(event: ReflectorEvent): string {
  if (event.type === "sync") {
    const names = event.pods.map((p) => (p["metadata"] as { name: string }).name);
    return `sync@${event.resourceVersion}[${names.join(",")}]`;
  }
  return `${event.type}:${(event.pod["metadata"] as { name: string }).name}@${event.resourceVersion}`;
}

test("lists, hands over the snapshot, then watches from the list's resourceVersion", async () => {
  const h = harness({ lists: [podList("10", "a", "b")], watches: [{ events: [added("c", "11")], durationMs: 10 }] });
  assert.deepEqual(await h.take(2), ["sync@10[a,b]", "added:c@11"]);
  assert.deepEqual(h.lw.watches[0], { resourceVersion: "10", timeoutSeconds: 450 }, "5 min × (1 + 0.5)");
  assert.ok(h.reflector.healthy);
});

test("a watch that ends normally is resumed at once from the last resourceVersion, bookmarks included", async () => {
  const h = harness({
    lists: [podList("10")],
    watches: [
      { events: [added("a", "11"), bookmark("15")], durationMs: 300_000 },
      { events: [], durationMs: 450_000 }, // a quiet node: the whole timeout without a change
      { events: [added("b", "20")] },
    ],
  });
  assert.deepEqual(await h.take(3), ["sync@10[]", "added:a@11", "added:b@20"]);
  assert.deepEqual(h.lw.watches.map((w) => w.resourceVersion), ["10", "15", "15"]);
  assert.deepEqual(h.clock.sleeps, [], "no back-off between healthy watches");
  assert.equal(h.lw.lists, 1, "no relist");
});

test("410 Gone relists at once and watches from the new list", async () => {
  const h = harness({
    lists: [podList("10", "a"), podList("50", "b")],
    watches: [{ events: [added("x", "11")], error: gone() }, { events: [added("c", "51")] }],
  });
  assert.deepEqual(await h.take(4), ["sync@10[a]", "added:x@11", "sync@50[b]", "added:c@51"]);
  assert.deepEqual(h.lists, ["start", "expired"]);
  assert.deepEqual(h.lw.watches.map((w) => w.resourceVersion), ["10", "50"]);
  assert.deepEqual(h.clock.sleeps, []);
});

test("an API server that is down is retried with a growing back-off, which resets once a watch works", async () => {
  const h = harness({
    lists: [podList("10"), refused(), refused(), refused(), podList("30", "a"), podList("40", "a")],
    watches: [
      { events: [], error: refused() }, // the API server goes away under an established watch...
      { events: [bookmark("31")] }, // ...and is back: this watch works, then ends
      { refuse: refused() },
      { events: [added("b", "41")] },
    ],
  });
  assert.deepEqual(await h.take(4), ["sync@10[]", "sync@30[a]", "sync@40[a]", "added:b@41"]);
  // watch 1 broke without progress (200), lists 2-4 refused (400, 800, 1600); then watch 2
  // delivered a bookmark (reset) and closed → re-watch at once, refused → 200 again.
  assert.deepEqual(h.clock.sleeps, [200, 400, 800, 1600, 200]);
  assert.deepEqual(h.lists, ["start", "error", "error"]);
  assert.deepEqual(h.lw.watches.map((w) => w.resourceVersion), ["10", "30", "31", "40"]);
});

test("health follows the last attempt", async () => {
  const h = harness({ lists: [refused(), podList("1")], watches: [{ hang: true }] });
  const abort = new AbortController();
  const it = h.reflector.run(abort.signal)[Symbol.asyncIterator]();
  assert.equal(h.reflector.healthy, false);
  await it.next(); // the refused list, the back-off, then the sync
  assert.equal(h.reflector.healthy, true);
  assert.equal(h.reflector.lastError, undefined);
  abort.abort();
  assert.deepEqual(await it.next(), { done: true, value: undefined });
});

test("a server that closes every watch at once does not get a busy loop", async () => {
  const h = harness({
    lists: [podList("1"), podList("2"), podList("3")],
    watches: [{ events: [] }, { events: [] }, { events: [added("a", "4")] }],
  });
  assert.deepEqual(await h.take(4), ["sync@1[]", "sync@2[]", "sync@3[]", "added:a@4"]);
  assert.deepEqual(h.clock.sleeps, [200, 400]);
});

test("aborting during a quiet watch ends the iteration", async () => {
  const h = harness({ lists: [podList("1")], watches: [{ hang: true }] });
  const abort = new AbortController();
  const events: ReflectorEvent[] = [];
  const done = (async () => {
    for await (const e of h.reflector.run(abort.signal)) events.push(e);
  })();
  await new Promise((r) => setImmediate(r));
  abort.abort();
  await done;
  assert.equal(events.length, 1);
  assert.equal(h.watchEnds.length, 0, "an abort is not a watch ending");
});

test("aborting during the back-off ends the iteration", async () => {
  const h = harness({ lists: [refused()], watches: [] });
  const abort = new AbortController();
  const reflector = new Reflector({
    listerWatcher: h.lw,
    clock: h.clock,
    hooks: { listFailed: () => abort.abort() },
  });
  const events: ReflectorEvent[] = [];
  for await (const event of reflector.run(abort.signal)) events.push(event);
  assert.deepEqual(events, []);
  assert.equal(reflector.healthy, false);
  assert.match(String(reflector.lastError), /ECONNREFUSED/);
});

test("one reflector runs once at a time", async () => {
  const h = harness({ lists: [podList("1")], watches: [{ hang: true }] });
  const abort = new AbortController();
  const first = h.reflector.run(abort.signal)[Symbol.asyncIterator]();
  await first.next();
  await assert.rejects(h.reflector.run(abort.signal)[Symbol.asyncIterator]().next(), /already running/);
  abort.abort();
  await first.return(undefined);
});

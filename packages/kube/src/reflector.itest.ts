// The reflector against a real etcd + kube-apiserver: snapshots, events, watch expiry and an
// API server restart in the middle.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlane } from "@natslet/testkit";
import { isResourceExpired } from "./errors.js";
import { podListerWatcher } from "./http-list-watch.js";
import { Reflector, type ReflectorHooks } from "./reflector.js";
import type { ListReason, WatchRun } from "./watch-decision.js";
import { Mirror, uidOf } from "./testing/mirror.js";
import { TestPods } from "./testing/pods.js";

let cp: ControlPlane;
let kc: KubeConfig;
let pods: TestPods;

before(async () => {
  cp = await startControlPlane();
  kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  pods = new TestPods(kc);
});
after(async () => {
  await cp?.stop();
});

/** A reflector on `node` whose hooks record what it did. */
function reflectorOn(node: string, minWatchTimeoutSeconds = 300) {
  const lists: ListReason[] = [];
  const watchRuns: WatchRun[] = [];
  const failures: unknown[] = [];
  const hooks: ReflectorHooks = {
    listed: (reason) => lists.push(reason),
    listFailed: (err) => failures.push(err),
    watchEnded: (run) => {
      watchRuns.push(run);
      if (run.end.kind === "failed") failures.push(run.end.error);
    },
  };
  const reflector = new Reflector({ listerWatcher: podListerWatcher(kc, node), minWatchTimeoutSeconds, hooks });
  return { reflector, mirror: new Mirror(reflector), lists, watchRuns, failures };
}

test("the snapshot holds this node's pods as raw JSON, then changes arrive as events", { timeout: 60_000 }, async () => {
  const mine = await pods.create("node-a", "mine");
  const theirs = await pods.create("node-b", "theirs");
  const { mirror } = reflectorOn("node-a");
  try {
    await mirror.until("the first sync", () => mirror.events.length > 0);
    const sync = mirror.events[0];
    assert.equal(sync?.type, "sync");
    assert.deepEqual([...mirror.pods.keys()], [mine.uid]);
    const metadata = mirror.pods.get(mine.uid)?.["metadata"] as Record<string, unknown>;
    // As the API server wrote it: RFC 3339 text, not a Date from a typed client.
    assert.match(String(metadata["creationTimestamp"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(typeof metadata["creationTimestamp"], "string");

    const second = await pods.create("node-a", "second");
    await mirror.until("ADDED second", () => mirror.pods.has(second.uid));
    const rv = await pods.label(second, "changed", "yes");
    await mirror.until("MODIFIED second", () => {
      const m = mirror.pods.get(second.uid)?.["metadata"] as { resourceVersion?: string } | undefined;
      return m?.resourceVersion === rv;
    });
    await pods.remove(mine);
    await mirror.until("DELETED mine", () => !mirror.pods.has(mine.uid));
    await pods.create("node-b", "theirs-too");

    // A delete with grace 0 still sets deletionTimestamp first: modified, then deleted.
    const types = mirror.events.map((e) => e.type).join(" ");
    assert.match(types, /^sync added modified (modified )*deleted$/);
    assert.ok(!mirror.events.some((e) => e.type !== "sync" && uidOf(e.pod) === theirs.uid));
  } finally {
    await mirror.stop();
  }
});

test("watches the server ends are resumed from the last resourceVersion, without a relist", { timeout: 60_000 }, async () => {
  // 2–3 s per watch instead of 5–10 min: several server-side expiries within the test.
  const { reflector, mirror, lists, watchRuns } = reflectorOn("node-expiry", 2);
  try {
    await mirror.until("the first sync", () => mirror.events.length > 0);
    const deadline = Date.now() + 30_000;
    while (watchRuns.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(watchRuns.length >= 3, `expected 3 watch expiries, saw ${watchRuns.length}`);
    for (const run of watchRuns) {
      assert.equal(run.end.kind, "closed");
      assert.ok(run.durationMs >= 1_900, `a watch ended after ${run.durationMs} ms`);
    }
    assert.deepEqual(lists, ["start"]);
    assert.ok(reflector.healthy);

    // Latency itself is measured by services/watcher/src/bench/quiet-latency.ts, not asserted here.
    const late = await pods.create("node-expiry", "late");
    await mirror.until("ADDED after several re-watches", () => mirror.pods.has(late.uid));
    assert.deepEqual(lists, ["start"], "still no relist");
  } finally {
    await mirror.stop();
  }
});

test("an API server restart in the middle loses no event", { timeout: 180_000 }, async () => {
  const kept = await pods.create("node-restart", "kept");
  const doomed = await pods.create("node-restart", "doomed");
  const { reflector, mirror, lists, failures } = reflectorOn("node-restart");
  try {
    await mirror.until("the first sync", () => mirror.pods.size === 2);
    const before = mirror.events[0]?.resourceVersion ?? "";

    await cp.restartApiServer();
    // Right after it is back: one pod created, one deleted — the reflector may still be in its
    // back-off, or between relist and watch; either way both must show.
    const born = await pods.create("node-restart", "born");
    await pods.remove(doomed);

    await mirror.until(
      "the pod created and the pod deleted after the restart",
      () => mirror.pods.has(born.uid) && !mirror.pods.has(doomed.uid) && mirror.pods.has(kept.uid),
    );
    assert.deepEqual([...mirror.pods.keys()].sort(), [born.uid, kept.uid].sort());
    assert.ok(failures.length > 0, "the restart was noticed");
    assert.ok(lists.length >= 2 && lists.slice(1).every((r) => r === "error"), `lists: ${lists.join(",")}`);
    assert.ok(reflector.healthy);

    // Why a failed watch relists instead of resuming: the restarted API server's watch cache
    // starts at its own start, so a resourceVersion from before the restart is 410 Gone.
    await assert.rejects(expectExpired(before), (err: unknown) => isResourceExpired(err));
  } finally {
    await mirror.stop();
  }
});

async function expectExpired(resourceVersion: string): Promise<void> {
  const abort = new AbortController();
  try {
    const stream = await podListerWatcher(kc, "node-restart").watch({ resourceVersion, timeoutSeconds: 5, signal: abort.signal });
    for await (const event of stream) assert.fail(`expected 410 Gone, got ${event.type}`);
  } finally {
    abort.abort();
  }
}

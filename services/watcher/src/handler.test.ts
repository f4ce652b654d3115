import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "@natslet/contracts";
import type { RawObject } from "@natslet/kube";
import { Registry } from "prom-client";
import { PodEventHandler, type Publisher } from "./handler.js";
import { createWatcherMetrics } from "./metrics.js";
import type { PodIdentity } from "./pod-edge.js";
import type { PublishCause } from "./publisher.js";
import { recordOf, type StreamRecord } from "./reconcile.js";

/** A pod as the API server sends it (more fields than the contract reads). */
function rawPod(name: string, resourceVersion = "1"): RawObject {
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion, creationTimestamp: "2026-11-28T06:20:14Z" },
    spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox", terminationMessagePolicy: "File" }], enableServiceLinks: true },
    status: { phase: "Pending" },
  };
}

class Recorder implements Publisher {
  readonly calls: string[] = [];
  failWith: Error | undefined;
  upsert(pod: Pod, cause: PublishCause): Promise<void> {
    this.calls.push(`upsert ${pod.metadata.name}@${pod.metadata.resourceVersion ?? "?"} (${cause})`);
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve();
  }
  tombstone(id: PodIdentity, cause: PublishCause): Promise<void> {
    this.calls.push(`tombstone ${id.name} (${cause})`);
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve();
  }
}

function setup(stream: StreamRecord[] = []) {
  const publisher = new Recorder();
  const warnings: Array<{ fields: unknown; message: unknown }> = [];
  const log = {
    info: () => undefined,
    warn: (fields: unknown, message?: unknown) => void warnings.push({ fields, message }),
  };
  const metrics = createWatcherMetrics(new Registry());
  const handler = new PodEventHandler({
    publisher,
    readStream: () => Promise.resolve(new Map(stream.map((r) => [r.uid, r]))),
    metrics,
    log,
  });
  return { handler, publisher, warnings, metrics };
}

test("added and modified pods are upserted, deleted ones tombstoned", async () => {
  const { handler, publisher } = setup();
  await handler.handle({ type: "added", pod: rawPod("a", "5"), resourceVersion: "5" });
  await handler.handle({ type: "modified", pod: rawPod("a", "6"), resourceVersion: "6" });
  await handler.handle({ type: "deleted", pod: rawPod("a", "7"), resourceVersion: "7" });
  assert.deepEqual(publisher.calls, ["upsert a@5 (added)", "upsert a@6 (modified)", "tombstone a (deleted)"]);
});

test("a pod that fails the contract is logged with the reason and skipped, never thrown", async () => {
  const { handler, publisher, warnings, metrics } = setup();
  const broken = rawPod("broken");
  // What a typed client would have produced: a Date where the wire has RFC 3339 text.
  (broken["metadata"] as Record<string, unknown>)["creationTimestamp"] = new Date();
  const noContainers = rawPod("empty");
  delete (noContainers["spec"] as Record<string, unknown>)["containers"];

  await handler.handle({ type: "added", pod: broken, resourceVersion: "2" });
  await handler.handle({ type: "modified", pod: noContainers, resourceVersion: "3" });
  await handler.handle({ type: "added", pod: rawPod("fine"), resourceVersion: "4" });

  assert.deepEqual(publisher.calls, ["upsert fine@1 (added)"]);
  assert.equal(warnings.length, 2);
  assert.deepEqual(warnings.map((w) => (w.fields as { reason: string }).reason), [
    "pod.metadata.creationTimestamp: expected a string, got object",
    "pod.spec.containers: is required",
  ]);
  assert.deepEqual((warnings[0]?.fields as { pod: unknown }).pod, { uid: "uid-broken", namespace: "default", name: "broken" });
  assert.equal((await metrics.invalidPods.get()).values[0]?.value, 2);
});

test("a deleted pod is tombstoned on its identity alone, even if its spec fails the contract", async () => {
  const { handler, publisher, warnings } = setup();
  const odd = rawPod("odd");
  (odd["spec"] as Record<string, unknown>)["containers"] = "not a list";
  await handler.handle({ type: "deleted", pod: odd, resourceVersion: "9" });
  await handler.handle({ type: "deleted", pod: { metadata: { name: "nameless-uid" } }, resourceVersion: "10" });
  assert.deepEqual(publisher.calls, ["tombstone odd (deleted)"]);
  assert.equal(warnings.length, 1);
});

test("a sync tombstones what the API server no longer has and skips what the stream already holds", async () => {
  const stream = [
    recordOf({ kind: "upsert", pod: { metadata: { uid: "uid-same", name: "same", namespace: "default", resourceVersion: "3" }, spec: { containers: [] } } }),
    recordOf({ kind: "upsert", pod: { metadata: { uid: "uid-gone", name: "gone", namespace: "default", resourceVersion: "2" }, spec: { containers: [] } } }),
    recordOf({ kind: "upsert", pod: { metadata: { uid: "uid-odd", name: "odd", namespace: "default", resourceVersion: "2" }, spec: { containers: [] } } }),
  ];
  const { handler, publisher, metrics } = setup(stream);
  const odd = rawPod("odd", "8");
  (odd["spec"] as Record<string, unknown>)["containers"] = 42;
  await handler.handle({ type: "sync", pods: [rawPod("same", "3"), rawPod("new", "4"), odd], resourceVersion: "10" });
  assert.deepEqual(publisher.calls, ["tombstone gone (sync)", "upsert new@4 (sync)"]);
  assert.equal((await metrics.unchanged.get()).values[0]?.value, 1);
});

test("a failed publish is thrown: the service's loop owns the retry", async () => {
  const { handler, publisher } = setup();
  publisher.failWith = new Error("TIMEOUT");
  await assert.rejects(handler.handle({ type: "added", pod: rawPod("a"), resourceVersion: "1" }), /TIMEOUT/);
});

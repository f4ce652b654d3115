// The watcher against a real nats-server (JetStream) and a real etcd + kube-apiserver.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectBus } from "@natslet/bus";
import { streams, subjects } from "@natslet/contracts";
import { TestPods } from "@natslet/kube/testing";
import { createLogger } from "@natslet/telemetry";
import { startAll, startControlPlane, startNats, type ControlPlane, type NatsServer } from "@natslet/testkit";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { startWatcher, type Watcher } from "./service.js";
import { PodStreamObserver } from "./testing/pod-stream.js";

let nats: NatsServer;
let cp: ControlPlane;
let nc: NatsConnection;
let kc: KubeConfig;
let pods: TestPods;
const spans = new InMemorySpanExporter();

before(async () => {
  // What packages/telemetry's initTracing registers, with spans kept in memory to look at.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  [nats, cp] = await startAll([startNats(), startControlPlane()]);
  nc = await connectBus({ servers: nats.url, name: "watcher-itest" });
  kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  pods = new TestPods(kc);
});
after(async () => {
  await nc?.close();
  await Promise.all([nats?.stop(), cp?.stop()]);
});

const log = createLogger({ service: "watcher", node: "itest", level: process.env["LOG_LEVEL"] ?? "silent" });

function start(nodeName: string): Promise<Watcher> {
  return startWatcher({ nodeName, kubeConfig: kc, tombstoneTtl: "1h" }, { nc, log, registry: new Registry() });
}

/** The last stored message on a pod's subject, headers included. */
async function stored(node: string, uid: string) {
  const jsm = await jetstreamManager(nc);
  const m = await jsm.streams.getMessage(streams.pods.name, { last_by_subj: subjects.pod(node, uid) });
  assert.ok(m, `no message for ${uid}`);
  return m;
}

test("pods on our node become upserts with a new trace each; other nodes' pods do not show", { timeout: 60_000 }, async () => {
  const mine = await pods.create("w-node-1", "mine");
  const theirs = await pods.create("w-other", "theirs");
  const watcher = await start("w-node-1");
  const stream = await PodStreamObserver.start(nc, "w-node-1");
  try {
    await watcher.synced;
    await stream.until("the listed pod", () => stream.kindOf(mine.uid) === "upsert");
    const created = await pods.create("w-node-1", "created");
    await stream.until("the created pod", () => stream.kindOf(created.uid) === "upsert");

    const message = stream.latest.get(created.uid)?.message;
    assert.equal(message?.kind, "upsert");
    if (message?.kind === "upsert") {
      assert.equal(message.pod.spec.nodeName, "w-node-1");
      assert.match(message.pod.metadata.creationTimestamp ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    // Nothing about the other node's pod anywhere in the stream.
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(streams.pods.name, { subjects_filter: ">" });
    assert.ok(!Object.keys(info.state.subjects ?? {}).some((s) => s.endsWith(theirs.uid)));

    // The publish started a root span with the pod's identity, and the message carries it.
    const span = spans.getFinishedSpans().find((s) => s.attributes["k8s.pod.uid"] === created.uid);
    assert.ok(span, "a span for the publish");
    assert.equal(span.name, "pod upsert");
    assert.equal(span.parentSpanContext, undefined, "each pod change starts its own trace");
    assert.deepEqual(
      [span.attributes["k8s.pod.name"], span.attributes["k8s.namespace.name"], span.attributes["natslet.pod.cause"]],
      [created.name, created.namespace, "added"],
    );
    const traceparent = (await stored("w-node-1", created.uid)).header.get("traceparent");
    assert.equal(traceparent.split("-")[1], span.spanContext().traceId);

    assert.equal(await watcher.checks.apiserver(), true);
    assert.equal(await watcher.checks.nats(), true);
  } finally {
    await stream.stop();
    await watcher.stop();
  }
});

test("an update is a new upsert; a delete is a tombstone with a TTL", { timeout: 60_000 }, async () => {
  const watcher = await start("w-node-2");
  const stream = await PodStreamObserver.start(nc, "w-node-2");
  try {
    await watcher.synced;
    const pod = await pods.create("w-node-2", "changing");
    await stream.until("created", () => stream.kindOf(pod.uid) === "upsert");
    const rv = await pods.label(pod, "stage", "two");
    await stream.until("updated", () => stream.resourceVersionOf(pod.uid) === rv);
    const updated = stream.latest.get(pod.uid)?.message;
    assert.equal(updated?.kind === "upsert" ? updated.pod.metadata.labels?.["stage"] : undefined, "two");

    await pods.remove(pod);
    await stream.until("tombstoned", () => stream.kindOf(pod.uid) === "deleted");
    assert.deepEqual(stream.latest.get(pod.uid)?.message, { kind: "deleted", ...pod });
    assert.equal((await stored("w-node-2", pod.uid)).header.get("Nats-TTL"), "1h");
  } finally {
    await stream.stop();
    await watcher.stop();
  }
});

test("what happened while the watcher was down is published when it starts again", { timeout: 60_000 }, async () => {
  const stays = await pods.create("w-node-3", "stays");
  const goes = await pods.create("w-node-3", "goes");
  const changes = await pods.create("w-node-3", "changes");
  let watcher = await start("w-node-3");
  const stream = await PodStreamObserver.start(nc, "w-node-3");
  try {
    await watcher.synced;
    await stream.until("three upserts", () => [stays, goes, changes].every((p) => stream.kindOf(p.uid) === "upsert"));
    const staysSeq = stream.latest.get(stays.uid)?.seq;
    await watcher.stop();

    await pods.remove(goes);
    const rv = await pods.label(changes, "while", "down");
    const born = await pods.create("w-node-3", "born");

    watcher = await start("w-node-3");
    await watcher.synced;
    await stream.until(
      "the delete, the change and the new pod",
      () => stream.kindOf(goes.uid) === "deleted" && stream.resourceVersionOf(changes.uid) === rv && stream.kindOf(born.uid) === "upsert",
    );
    assert.equal(stream.latest.get(stays.uid)?.seq, staysSeq, "an unchanged pod is not republished");
    assert.deepEqual(stream.latest.get(goes.uid)?.message, { kind: "deleted", ...goes });
  } finally {
    await stream.stop();
    await watcher.stop();
  }
});

test("after an API server restart, changes still arrive", { timeout: 180_000 }, async () => {
  const doomed = await pods.create("w-node-4", "doomed");
  const watcher = await start("w-node-4");
  const stream = await PodStreamObserver.start(nc, "w-node-4");
  try {
    await watcher.synced;
    await stream.until("listed", () => stream.kindOf(doomed.uid) === "upsert");

    await cp.restartApiServer();
    const born = await pods.create("w-node-4", "born");
    await pods.remove(doomed);
    await stream.until("both changes", () => stream.kindOf(born.uid) === "upsert" && stream.kindOf(doomed.uid) === "deleted");

    // And the watch that follows the relist works too.
    const later = await pods.create("w-node-4", "later");
    await stream.until("a later pod", () => stream.kindOf(later.uid) === "upsert");
    assert.equal(await watcher.checks.apiserver(), true);
  } finally {
    await stream.stop();
    await watcher.stop();
  }
});

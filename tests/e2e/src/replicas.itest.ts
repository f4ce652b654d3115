// Two sync-loop and two status-manager replicas for one node (`docker compose up --scale
// sync-loop=2 --scale status-manager=2`): the pods are split between them, each pod is run once
// and its status written by one replica, and when one of each is killed the others take their
// pods over — new pods start and show Running, deleted pods go.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Natslet } from "@natslet/testkit";
import { createPod, phaseIs, startNode, waitForPod, waitForPodGone, waitForRuntimeObjects, type Node } from "./harness.js";

let node: Node;
let second: Natslet;
before(async () => {
  node = await startNode();
  second = await node.startReplica("sync-loop");
  await second.start("status-manager");
});
after(async () => {
  await node?.stop();
});

/** A metric's value from a replica's /metrics: the first sample of `name` with `label` (e.g. `outcome="written"`). */
async function metric(natslet: Natslet, name: string, service: "sync-loop" | "status-manager" = "sync-loop", label = ""): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${natslet.healthPort(service)}/metrics`)).text();
  const line = text.split("\n").find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(label));
  return Number(line?.split(" ").pop() ?? NaN);
}

const sleeper = (image: string) => ({ containers: [{ name: "c", image, command: ["sleep", "3600"] }] });

test("two replicas split the pods: every pod runs once, with one sandbox and one container", async () => {
  const names = Array.from({ length: 12 }, (_, i) => `replica-${i}`);
  await Promise.all(names.map((name) => createPod(node, name, sleeper(node.image))));
  const pods = await Promise.all(names.map((name) => waitForPod(node, name, phaseIs("Running"), "Running", 90_000)));
  for (const pod of pods) {
    await waitForRuntimeObjects(node, pod.metadata?.uid ?? "", { sandboxes: 1, containers: 1 });
    assert.equal(pod.status?.containerStatuses?.[0]?.restartCount, 0);
  }
  assert.equal(await metric(node.natslet, "natslet_sync_loop_replicas"), 2);
  assert.equal(await metric(second, "natslet_sync_loop_replicas"), 2);
  const first = await metric(node.natslet, "natslet_sync_loop_owned_pods");
  const other = await metric(second, "natslet_sync_loop_owned_pods");
  assert.equal(first + other, 12, `owned pods ${first} + ${other}`);
  assert.ok(first > 0 && other > 0, `both replicas own pods: ${first} + ${other}`);
  const written = ["natslet_pod_status_writes_total", "status-manager", 'outcome="written"'] as const;
  const writes = [await metric(node.natslet, ...written), await metric(second, ...written)];
  assert.ok(writes.every((n) => n > 0), `both status-manager replicas wrote statuses: ${writes.join(" + ")}`);
});

test("a replica killed -9: the other takes its pods over", async () => {
  await second.kill("sync-loop");
  await second.kill("status-manager");
  const gone = Array.from({ length: 6 }, (_, i) => `replica-${i}`);
  const fresh = Array.from({ length: 6 }, (_, i) => `replica-new-${i}`);
  await Promise.all(gone.map((name) => node.core.deleteNamespacedPod({ name, namespace: "default", gracePeriodSeconds: 1 })));
  await Promise.all(fresh.map((name) => createPod(node, name, sleeper(node.image))));
  await Promise.all([
    ...fresh.map((name) => waitForPod(node, name, phaseIs("Running"), "Running after the takeover", 60_000)),
    ...gone.map((name) => waitForPodGone(node, name, 60_000)),
  ]);
  assert.equal(await metric(node.natslet, "natslet_sync_loop_replicas"), 1);
  // A deleted pod counts until its last pass has run (just after the API server let it go).
  let owned = await metric(node.natslet, "natslet_sync_loop_owned_pods");
  for (let i = 0; i < 50 && owned !== 12; i++) {
    await sleep(200);
    owned = await metric(node.natslet, "natslet_sync_loop_owned_pods");
  }
  assert.equal(owned, 12);
  const sandboxes = (await node.containerd.crictl("pods", "-q")).trim().split("\n").filter(Boolean);
  assert.equal(sandboxes.length, 12, "the deleted pods' sandboxes are gone, the others each have one");
});

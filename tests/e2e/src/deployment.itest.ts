// The full path a user takes, with kube-scheduler and kube-controller-manager running: the node
// registers itself, the scheduler places a Deployment's pods on it, natslet runs them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AppsV1Api } from "@kubernetes/client-node";
import { startNode, type Node } from "./harness.js";
import { setTimeout as sleep } from "node:timers/promises";

let node: Node;
before(async () => {
  node = await startNode({ controllers: true });
});
after(async () => {
  await node?.stop();
});

test("kubectl create deployment web --replicas=3: three pods scheduled onto our node and Running", async () => {
  const apps = node.kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace: "default",
    body: {
      metadata: { name: "web" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "busybox", image: node.image, command: ["sleep", "3600"] }] },
        },
      },
    },
  });
  const deadline = Date.now() + 120_000;
  let pods: Awaited<ReturnType<typeof node.core.listNamespacedPod>>["items"] = [];
  while (Date.now() < deadline) {
    pods = (await node.core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" })).items;
    if (pods.length === 3 && pods.every((p) => p.status?.phase === "Running")) break;
    await sleep(500);
  }
  assert.equal(pods.length, 3, "three pods");
  for (const pod of pods) {
    assert.equal(pod.spec?.nodeName, node.name, "scheduled onto our node");
    assert.equal(pod.status?.phase, "Running", `${pod.metadata?.name} Running`);
  }
  const deployment = await apps.readNamespacedDeployment({ name: "web", namespace: "default" });
  assert.equal(deployment.status?.readyReplicas, 3);
});

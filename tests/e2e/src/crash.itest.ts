// Kill -9 of the sync-loop and of the runtime-adapter while 20 pods start: after the restart
// every pod converges, with exactly one sandbox and one container per pod once what the crash left
// half-made is collected, and nothing left over.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createPod, phaseIs, startNode, waitForPod, waitForPodGone, waitForRuntimeObjects, type Node } from "./harness.js";

let node: Node;
before(async () => {
  node = await startNode();
});
after(async () => {
  await node?.stop();
});

test("20 pods converge after kill -9 of sync-loop and runtime-adapter mid-start", async () => {
  const names = Array.from({ length: 20 }, (_, i) => `crash-${i}`);
  await Promise.all(names.map((name) => createPod(node, name, { containers: [{ name: "c", image: node.image, command: ["sleep", "3600"] }] })));
  await sleep(800);
  await node.natslet.kill("sync-loop");
  await sleep(400);
  await node.natslet.kill("runtime-adapter");
  await sleep(500);
  await node.natslet.start("runtime-adapter");
  await node.natslet.start("sync-loop");

  const pods = await Promise.all(names.map((name) => waitForPod(node, name, phaseIs("Running"), "Running", 120_000)));
  for (const pod of pods) {
    // A sandbox the killed adapter left half-made is replaced, then collected like the kubelet's GC would.
    await waitForRuntimeObjects(node, pod.metadata?.uid ?? "", { sandboxes: 1, containers: 1 });
    assert.equal(pod.status?.containerStatuses?.[0]?.restartCount, 0, `${pod.metadata?.name}: never restarted`);
  }

  await Promise.all(names.map((name) => node.core.deleteNamespacedPod({ name, namespace: "default", gracePeriodSeconds: 1 })));
  await Promise.all(names.map((name) => waitForPodGone(node, name, 120_000)));
  assert.equal((await node.containerd.crictl("pods", "-q")).trim(), "", "no sandbox left");
  assert.equal((await node.containerd.crictl("ps", "-a", "-q")).trim(), "", "no container left");
});

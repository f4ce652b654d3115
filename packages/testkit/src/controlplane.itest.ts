import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, VersionApi, Watch, type V1Pod } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlane } from "./controlplane.js";
import { repoRoot } from "./paths.js";

let cp: ControlPlane;
let kc: KubeConfig;

before(async () => {
  cp = await startControlPlane();
  kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
});

after(async () => {
  await cp?.stop();
});

test("a Pod created through the real kube-apiserver is seen through a watch", async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const seen = new Promise<{ type: string; pod: V1Pod }>((resolve, reject) => {
    void new Watch(kc)
      .watch(
        "/api/v1/namespaces/default/pods",
        { fieldSelector: "spec.nodeName=smoke-node" },
        (type: string, pod: V1Pod) => resolve({ type, pod }),
        (err: unknown) => (err ? reject(err instanceof Error ? err : new Error("watch failed", { cause: err })) : undefined),
      )
      .then((req) => setTimeout(() => req.abort(), 20_000).unref());
  });
  // Let the watch establish before creating, so the event is a live one.
  await new Promise((r) => setTimeout(r, 300));
  const created = await core.createNamespacedPod({
    namespace: "default",
    body: {
      metadata: { name: "smoke" },
      spec: { nodeName: "smoke-node", containers: [{ name: "c", image: "localhost/natslet/busybox:x" }] },
    },
  });
  const event = await seen;
  assert.equal(event.type, "ADDED");
  assert.equal(event.pod.metadata?.uid, created.metadata?.uid);
  assert.equal(event.pod.spec?.nodeName, "smoke-node");
});

test("the API server reports the Kubernetes version pinned in tools/testenv/versions.env", async () => {
  const pinned = /^KUBERNETES_VERSION=(\S+)$/m.exec(readFileSync(join(repoRoot, "tools/testenv/versions.env"), "utf8"));
  const version = await kc.makeApiClient(VersionApi).getCode();
  assert.equal(version.gitVersion, `v${pinned?.[1] ?? "?"}`);
});

// Images through the whole stack: a pod whose image lives in a registry behind basic auth,
// pulled with the pod's imagePullSecret; a wrong secret ends in ImagePullBackOff with Events.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAll, busyboxImage, startRegistry, type Registry } from "@natslet/testkit";
import { createPod, podEvents, podName, startNode, waitForPod, type Node } from "./harness.js";

const AUTH = { username: "e2e", password: "pa55word" };
let node: Node;
let registry: Registry;
let image = "";
/** Never pulled by a test before: its failure is the registry's answer to the first pull. */
let unpulled = "";

before(async () => {
  [node, registry] = await startAll([startNode({ env: { NATSLET_IMAGE_PULL_BACKOFF_MS: "1000" } }), startRegistry({ auth: AUTH })]);
  node.containerd.allowPlainHttpRegistry(registry.host);
  image = (await registry.push(await busyboxImage(), "e2e/app", "1")).ref;
  unpulled = (await registry.push(await busyboxImage(), "e2e/other", "1")).ref;
});
after(async () => {
  await node?.stop();
  await registry?.stop();
});

async function createPullSecret(name: string, password: string): Promise<void> {
  const auth = { auths: { [registry.host]: { auth: Buffer.from(`${AUTH.username}:${password}`).toString("base64") } } };
  await node.core.createNamespacedSecret({
    namespace: "default",
    body: { metadata: { name }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": Buffer.from(JSON.stringify(auth)).toString("base64") } },
  });
}

describe("private registry images", () => {
  test("an imagePullSecret with the right credentials: pulled, Running, Pulling/Pulled Events", async () => {
    await createPullSecret("right", AUTH.password);
    const name = podName("private");
    await createPod(node, name, { imagePullSecrets: [{ name: "right" }], containers: [{ name: "app", image, command: ["sleep", "3600"] }] });
    const pod = await waitForPod(node, name, (p) => p.status?.phase === "Running", "Running");
    assert.match(pod.status?.containerStatuses?.[0]?.imageID ?? "", /sha256:/);
    const events = (await podEvents(node, name)).map((e): [string, string] => [e.reason ?? "", e.message ?? ""]);
    // Once each, although the image-manager started pulling when it saw the pod and the sync-loop asked too.
    assert.equal(events.filter(([r, m]) => r === "Pulling" && m === `Pulling image "${image}"`).length, 1, JSON.stringify(events));
    assert.equal(events.filter(([r, m]) => r === "Pulled" && m.startsWith(`Successfully pulled image "${image}" in `)).length, 1, JSON.stringify(events));
  });

  test("a wrong imagePullSecret: ImagePullBackOff in the container status, Failed and BackOff Events", async () => {
    await createPullSecret("wrong", "not-the-password");
    const name = podName("denied");
    await createPod(node, name, { imagePullSecrets: [{ name: "wrong" }], containers: [{ name: "app", image: unpulled, command: ["sleep", "3600"] }] });
    const pod = await waitForPod(
      node,
      name,
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff",
      "in ImagePullBackOff",
    );
    assert.equal(pod.status?.phase, "Pending");
    assert.match(pod.status?.containerStatuses?.[0]?.state?.waiting?.message ?? "", /^Back-off pulling image ".*": ErrImagePull: .*(401|nauthorized)/);
    const events = (await podEvents(node, name)).map((e): [string, string, string] => [e.type ?? "", e.reason ?? "", e.message ?? ""]);
    const has = (type: string, reason: string, message: RegExp) => events.some(([t, r, m]) => t === type && r === reason && message.test(m ?? ""));
    assert.ok(has("Warning", "Failed", /^Failed to pull image ".*": .*(401|nauthorized)/), JSON.stringify(events));
    assert.ok(has("Warning", "Failed", /^Error: ErrImagePull$/), JSON.stringify(events));
    assert.ok(has("Normal", "BackOff", /^Back-off pulling image /), JSON.stringify(events));
    assert.ok(has("Warning", "Failed", /^Error: ImagePullBackOff$/), JSON.stringify(events));
  });

  test("the private image, present on the node, is not given to a pod without the secret (ensure secret pulled images)", async () => {
    // Pulled by the first test with the "right" secret; IfNotPresent would have run it for anyone before.
    const without = podName("nosecret");
    await createPod(node, without, { containers: [{ name: "app", image, imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] }] });
    const denied = await waitForPod(
      node,
      without,
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff",
      "in ImagePullBackOff (the registry asked, and it said 401)",
    );
    assert.match(denied.status?.containerStatuses?.[0]?.state?.waiting?.message ?? "", /(401|nauthorized)/);

    // The same credentials in another Secret: allowed without a pull.
    await createPullSecret("same-credentials", AUTH.password);
    const withSecret = podName("samecreds");
    await createPod(node, withSecret, {
      imagePullSecrets: [{ name: "same-credentials" }],
      containers: [{ name: "app", image, imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] }],
    });
    await waitForPod(node, withSecret, (p) => p.status?.phase === "Running", "Running");
    const events = (await podEvents(node, withSecret)).map((e) => `${e.reason ?? ""}: ${e.message ?? ""}`);
    assert.ok(events.includes(`Pulled: Container image "${image}" already present on machine and can be accessed by the pod`), JSON.stringify(events));
    assert.ok(!events.some((e) => e.startsWith("Pulling:")), JSON.stringify(events));
  });
});

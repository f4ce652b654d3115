import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { labelKeys } from "@natslet/core";
import { groupPods, nsToMs, observedContainer, observedSandbox, podIdentity } from "./observe-map.js";
import {
  containerItem, containerLabels, containerStatus, podLabels, sandboxStatus, T0_MS, T0_NS, UID,
} from "./testing/cri-fixtures.js";

describe("nsToMs", () => {
  test("int64 nanosecond strings to epoch ms, truncated; zero and junk are 0", () => {
    assert.equal(nsToMs(T0_NS), T0_MS);
    assert.equal(nsToMs("999999"), 0);
    assert.equal(nsToMs("0"), 0);
    assert.equal(nsToMs(""), 0);
    assert.equal(nsToMs("-5"), 0);
  });
});

describe("podIdentity", () => {
  test("natslet's labels name the pod", () => {
    assert.deepEqual(podIdentity(podLabels()), { uid: UID, name: "web", namespace: "default" });
  });
  test("without the managed label or a UID it is not natslet's", () => {
    const foreign = podLabels();
    delete foreign[labelKeys.managed];
    assert.equal(podIdentity(foreign), undefined);
    assert.equal(podIdentity({ ...podLabels(), [labelKeys.podUid]: "" }), undefined);
  });
});

describe("observedSandbox", () => {
  test("ready pod-network sandbox: IP from the status, times in ms", () => {
    assert.deepEqual(observedSandbox(sandboxStatus()), {
      id: "sb-1", attempt: 0, state: "ready", createdAt: T0_MS, ip: "10.88.0.7", hostNetwork: false,
    });
  });
  test("host network, not ready, additional IPs, attempt", () => {
    const status = sandboxStatus({
      state: "SANDBOX_NOTREADY",
      metadata: { name: "web", uid: UID, namespace: "default", attempt: 2 },
      network: { ip: "", additionalIps: [{ ip: "fd00::7" }] },
      linux: { namespaces: { options: { network: "NODE", pid: "CONTAINER", ipc: "POD", targetId: "", usernsOptions: null } } },
    });
    assert.deepEqual(observedSandbox(status), {
      id: "sb-1", attempt: 2, state: "notready", createdAt: T0_MS, additionalIps: ["fd00::7"], hostNetwork: true,
    });
  });
  test("no namespaces reported: hostNetwork unknown, not false", () => {
    assert.equal("hostNetwork" in observedSandbox(sandboxStatus({ linux: null, network: null })), false);
  });
});

describe("observedContainer", () => {
  test("running: started time, the pod's image text from the annotation, spec hash", () => {
    assert.deepEqual(observedContainer(containerItem(), containerStatus()), {
      id: "c-1", name: "app", sandboxId: "sb-1", attempt: 0, state: "running", createdAt: T0_MS, startedAt: 1795933215000,
      image: "localhost/busybox:1", imageRef: "sha256:abc", specHash: "1234abcd", logPath: "/var/log/pods/default_web_uid/app/0.log",
    });
  });
  test("exited: exit code, reason, message, finished time, termination message", () => {
    const status = containerStatus({
      state: "CONTAINER_EXITED", finishedAt: "1795933216500000000", exitCode: 3, reason: "Error", message: "boom",
      metadata: { name: "app", attempt: 4 },
    });
    const c = observedContainer(containerItem({ state: "CONTAINER_EXITED" }), status, "bye");
    assert.deepEqual(
      [c?.state, c?.exitCode, c?.reason, c?.message, c?.finishedAt, c?.attempt, c?.terminationMessage],
      ["exited", 3, "Error", "boom", 1795933216500, 4, "bye"],
    );
  });
  test("created: no exit code, no start time", () => {
    const c = observedContainer(containerItem(), containerStatus({ state: "CONTAINER_CREATED", startedAt: "0" }));
    assert.equal(c?.state, "created");
    assert.equal(c && "exitCode" in c, false);
    assert.equal(c && "startedAt" in c, false);
  });
  test("image falls back to userSpecifiedImage, then the runtime's image", () => {
    const bare = { annotations: { [labelKeys.containerHash]: "h" } };
    const spec = { image: "sha256:abc", annotations: {}, userSpecifiedImage: "busybox:1.36", runtimeHandler: "" };
    assert.equal(observedContainer(containerItem(bare), containerStatus({ ...bare, image: spec }))?.image, "busybox:1.36");
    assert.equal(observedContainer(containerItem(bare), containerStatus(bare))?.image, "sha256:abc");
  });
});

describe("groupPods", () => {
  test("sandboxes and containers grouped by pod UID, oldest first; a pod known only by its containers too", () => {
    const s = (id: string, createdAt: number) => ({ labels: podLabels(), observed: { id, attempt: 0, state: "ready" as const, createdAt } });
    const c = (id: string, uid: string, createdAt: number) => ({
      labels: containerLabels("app", uid),
      observed: { id, name: "app", sandboxId: "x", attempt: 0, state: "running" as const, createdAt, image: "", imageRef: "", specHash: "" },
    });
    const pods = groupPods([s("sb-2", 20), s("sb-1", 10)], [c("c-2", UID, 30), c("c-1", UID, 15), c("c-9", "other", 5)]);
    assert.deepEqual(Object.keys(pods).sort(), ["other", UID].sort());
    assert.deepEqual(pods[UID]?.sandboxes.map((x) => x.id), ["sb-1", "sb-2"]);
    assert.deepEqual(pods[UID]?.containers.map((x) => x.id), ["c-1", "c-2"]);
    assert.deepEqual([pods["other"]?.name, pods["other"]?.namespace, pods["other"]?.sandboxes], ["web", "default", []]);
  });
  test("objects without natslet's labels are left out", () => {
    assert.deepEqual(groupPods([{ labels: { app: "x" }, observed: { id: "s", attempt: 0, state: "ready", createdAt: 1 } }], []), {});
  });
});

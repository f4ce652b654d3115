import assert from "node:assert/strict";
import { test } from "node:test";
import type { ContainerStatus, PodSandboxStatus } from "@natslet/cri";
import { CriError } from "@natslet/cri";
import { Observer, mapLimit, type ObserverCri } from "./observe.js";
import type { ExitedContainer } from "./termination.js";
import { containerItem, containerStatus, sandboxItem, sandboxStatus, UID } from "./testing/cri-fixtures.js";

/** A CRI with one sandbox and one container whose states the test sets; counts status calls. */
class FakeCri implements ObserverCri {
  sandbox: PodSandboxStatus = sandboxStatus();
  container: ContainerStatus | undefined = containerStatus();
  calls = { podSandboxStatus: 0, containerStatus: 0 };
  listPodSandbox = () => Promise.resolve({ items: [sandboxItem({ state: this.sandbox.state })] });
  listContainers = () =>
    Promise.resolve({ containers: this.container ? [containerItem({ state: this.container.state })] : [] });
  podSandboxStatus = () => {
    this.calls.podSandboxStatus++;
    return Promise.resolve({ status: this.sandbox, info: {}, containersStatuses: [], timestamp: "0" });
  };
  containerStatus = () => {
    this.calls.containerStatus++;
    if (!this.container) return Promise.reject(new CriError("NOT_FOUND", "ContainerStatus", "gone"));
    return Promise.resolve({ status: this.container, info: {} });
  };
}

const clock = { now: () => 42, schedule: () => () => undefined };

test("the sandbox IP comes from PodSandboxStatus (ListPodSandbox has none)", async () => {
  const observer = new Observer(new FakeCri(), { read: () => Promise.resolve(undefined) }, clock);
  const pod = await observer.pod(UID);
  assert.equal(pod.sandboxes[0]?.ip, "10.88.0.7");
  assert.deepEqual([pod.uid, pod.name, pod.namespace], [UID, "web", "default"]);
});

test("statuses are read again only when the listed state changes; exited containers get their termination message", async () => {
  const cri = new FakeCri();
  const reads: ExitedContainer[] = [];
  const observer = new Observer(cri, { read: (c) => (reads.push(c), Promise.resolve("bye")) }, clock);
  await observer.node();
  await observer.node();
  assert.deepEqual(cri.calls, { podSandboxStatus: 1, containerStatus: 1 }, "second relist: all from cache");
  assert.equal(reads.length, 0, "a running container has no termination message");

  cri.container = containerStatus({ state: "CONTAINER_EXITED", exitCode: 1, finishedAt: "1795933216000000000" });
  const node = await observer.node();
  assert.equal(cri.calls.containerStatus, 2);
  assert.deepEqual(reads.map((r) => [r.podUid, r.name, r.attempt, r.exitCode, r.policy]), [[UID, "app", 0, 1, "File"]]);
  assert.equal(node.pods[UID]?.containers[0]?.terminationMessage, "bye");
  assert.equal(node.observedAt, 42);
  await observer.node();
  assert.equal(reads.length, 1, "read once per exit");
});

test("a container removed between list and status is left out, not an error", async () => {
  const cri = new FakeCri();
  cri.listContainers = () => Promise.resolve({ containers: [containerItem()] });
  cri.container = undefined;
  const observer = new Observer(cri, { read: () => Promise.resolve(undefined) }, clock);
  const pod = await observer.pod(UID);
  assert.deepEqual(pod.containers, []);
  assert.equal(pod.sandboxes.length, 1);
});

test("an unreadable termination message does not fail the relist and is retried", async () => {
  const cri = new FakeCri();
  cri.container = containerStatus({ state: "CONTAINER_EXITED", exitCode: 1 });
  let attempts = 0;
  const observer = new Observer(cri, { read: () => (attempts++ === 0 ? Promise.reject(new Error("EACCES")) : Promise.resolve("late")) }, clock);
  assert.equal((await observer.node()).pods[UID]?.containers[0]?.terminationMessage, undefined);
  assert.equal((await observer.node()).pods[UID]?.containers[0]?.terminationMessage, "late");
});

test("mapLimit keeps order and never runs more than the limit at once", async () => {
  let running = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, n));
    running--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30]);
  assert.equal(peak, 2);
});

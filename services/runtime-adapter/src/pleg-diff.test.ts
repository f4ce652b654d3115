import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ObservedContainer, ObservedNode, ObservedPod, ObservedSandbox, RuntimeEvent } from "@natslet/contracts";
import { relistEvents } from "./pleg-diff.js";

const AT = 1_700_000_000_000;
const UID = "pod-a";

function sandbox(patch: Partial<ObservedSandbox> = {}): ObservedSandbox {
  return { id: "sb-1", attempt: 0, state: "ready", createdAt: 1, ip: "10.88.0.2", ...patch };
}

function container(state: ObservedContainer["state"], patch: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: "c-1", name: "app", sandboxId: "sb-1", attempt: 0, state, createdAt: 2, image: "busybox", imageRef: "sha256:x", specHash: "h",
    ...(state === "exited" ? { exitCode: 3 } : {}),
    ...patch,
  };
}

function node(sandboxes: ObservedSandbox[], containers: ObservedContainer[]): ObservedNode {
  const pod: ObservedPod = { uid: UID, name: "web", namespace: "default", sandboxes, containers };
  return { pods: { [UID]: pod }, observedAt: AT };
}

const emptyNode: ObservedNode = { pods: {}, observedAt: AT };
const sb = sandbox();

describe("relistEvents", () => {
  const cases: { name: string; prev: ObservedNode | undefined; next: ObservedNode; want: Omit<RuntimeEvent, "podUid" | "at">[] }[] = [
    {
      name: "first relist: everything is new",
      prev: undefined,
      next: node([sb], [container("running")]),
      want: [{ type: "SandboxChanged", id: "sb-1" }, { type: "ContainerStarted", id: "c-1" }],
    },
    { name: "nothing changed", prev: node([sb], [container("running")]), next: node([sb], [container("running")]), want: [] },
    {
      name: "a new container that already ran and exited: died, with its exit code",
      prev: node([sb], []),
      next: node([sb], [container("exited")]),
      want: [{ type: "ContainerDied", id: "c-1", exitCode: 3 }],
    },
    {
      name: "running → exited: died",
      prev: node([sb], [container("running")]),
      next: node([sb], [container("exited", { exitCode: 0 })]),
      want: [{ type: "ContainerDied", id: "c-1", exitCode: 0 }],
    },
    {
      name: "created → running: started",
      prev: node([sb], [container("created")]),
      next: node([sb], [container("running")]),
      want: [{ type: "ContainerStarted", id: "c-1" }],
    },
    {
      name: "new created container: changed (the kubelet reads created as unknown)",
      prev: node([sb], []),
      next: node([sb], [container("created")]),
      want: [{ type: "ContainerChanged", id: "c-1" }],
    },
    {
      name: "created → unknown: no event (same PLEG state)",
      prev: node([sb], [container("created")]),
      next: node([sb], [container("unknown")]),
      want: [],
    },
    {
      name: "exited → gone: removed",
      prev: node([sb], [container("exited")]),
      next: node([sb], []),
      want: [{ type: "ContainerRemoved", id: "c-1" }],
    },
    {
      name: "running → gone: died and removed",
      prev: node([sb], [container("running")]),
      next: node([sb], []),
      want: [{ type: "ContainerDied", id: "c-1" }, { type: "ContainerRemoved", id: "c-1" }],
    },
    {
      name: "sandbox stopped",
      prev: node([sb], []),
      next: node([sandbox({ state: "notready" })], []),
      want: [{ type: "SandboxChanged", id: "sb-1" }],
    },
    {
      name: "sandbox IP changed",
      prev: node([sb], []),
      next: node([sandbox({ ip: "10.88.0.9" })], []),
      want: [{ type: "SandboxChanged", id: "sb-1" }],
    },
    {
      name: "whole pod gone",
      prev: node([sb], [container("exited")]),
      next: emptyNode,
      want: [{ type: "SandboxChanged", id: "sb-1" }, { type: "ContainerRemoved", id: "c-1" }],
    },
    {
      name: "a restart: old container exited, new one running",
      prev: node([sb], [container("running")]),
      next: node([sb], [container("exited"), container("running", { id: "c-2", attempt: 1 })]),
      want: [{ type: "ContainerDied", id: "c-1", exitCode: 3 }, { type: "ContainerStarted", id: "c-2" }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(
        relistEvents(c.prev, c.next, AT),
        c.want.map((e) => ({ ...e, podUid: UID, at: AT })).map(({ type, podUid, id, exitCode, at }) => ({
          type, podUid, id, ...(exitCode !== undefined ? { exitCode } : {}), at,
        })),
      );
    });
  }
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { stackSettings } from "./settings.js";

const state = "/repo/.natslet";

test("KUBECONFIG and CONTAINER_RUNTIME_ENDPOINT of the user's own cluster and runtime are used", () => {
  const s = stackSettings({ KUBECONFIG: "/home/u/.kube/config", CONTAINER_RUNTIME_ENDPOINT: "unix:///run/containerd/containerd.sock" }, state);
  assert.equal(s.kubeconfig, "/home/u/.kube/config");
  assert.equal(s.criEndpoint, "unix:///run/containerd/containerd.sock");
});

test("values left in the shell by a sourced .natslet/env do not stop make run from starting its own", () => {
  const s = stackSettings({ KUBECONFIG: `${state}/kubeconfig`, CONTAINER_RUNTIME_ENDPOINT: `unix://${state}/containerd/containerd.sock` }, state);
  assert.equal(s.kubeconfig, undefined);
  assert.equal(s.criEndpoint, undefined);
});

test("defaults, and a bad port is a clear error", () => {
  const s = stackSettings({}, state);
  assert.equal(s.natsPort, 4222);
  assert.equal(s.apiServerPort, 6443);
  assert.throws(() => stackSettings({ NATSLET_NATS_PORT: "70000" }, state), /NATSLET_NATS_PORT=70000 is not a TCP port/);
});

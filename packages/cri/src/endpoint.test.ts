import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { endpointToTarget } from "./endpoint.js";

describe("endpointToTarget", () => {
  it("keeps a unix:// URL with an absolute path", () => {
    assert.equal(
      endpointToTarget("unix:///run/containerd/containerd.sock"),
      "unix:///run/containerd/containerd.sock",
    );
  });

  it("turns a bare absolute path into a unix target", () => {
    assert.equal(endpointToTarget("/tmp/x/containerd.sock"), "unix:///tmp/x/containerd.sock");
  });

  it("rejects other schemes", () => {
    for (const e of ["tcp://127.0.0.1:1234", "npipe:////./pipe/containerd", "unix:/x.sock", "dns:host"]) {
      assert.throws(() => endpointToTarget(e), /only unix sockets/, e);
    }
  });

  it("rejects relative or empty paths", () => {
    for (const e of ["", "unix://", "unix://run/containerd.sock", "containerd.sock"]) {
      assert.throws(() => endpointToTarget(e), /absolute socket path/, e);
    }
  });
});

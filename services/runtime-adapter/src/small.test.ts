// Unit tests of the small helpers: error mapping, /proc/meminfo, the keyed lock, settings.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NatsletError } from "@natslet/contracts";
import { CriError } from "@natslet/cri";
import { isNameReserved, toNatsletError } from "./cri-errors.js";
import { parseMemTotal } from "./meminfo.js";
import { loadSettings } from "./settings.js";

describe("toNatsletError", () => {
  test("CRI codes map to natslet codes; the reason goes in front of the runtime's message", () => {
    const mapped = toNatsletError(new CriError("UNKNOWN", "CreateContainer", "failed to mount"), "CreateContainerError");
    assert.ok(mapped instanceof NatsletError);
    assert.equal(mapped.code, "Unavailable");
    assert.equal(mapped.message, "CreateContainerError: failed to mount");
    assert.equal((toNatsletError(new CriError("NOT_FOUND", "X", "")) as NatsletError).code, "NotFound");
    assert.equal((toNatsletError(new CriError("DEADLINE_EXCEEDED", "X", "")) as NatsletError).code, "Timeout");
  });
  test("NatsletErrors and unknown errors pass through", () => {
    const own = new NatsletError("Conflict", "x");
    assert.equal(toNatsletError(own), own);
    const bug = new TypeError("x is undefined");
    assert.equal(toNatsletError(bug), bug);
  });
  test("containerd's name reservation is recognised", () => {
    const err = new CriError("UNKNOWN", "RunPodSandbox", `failed to reserve sandbox name "web_default_uid_0": name "web_default_uid_0" is reserved for "abc"`);
    assert.equal(isNameReserved(err), true);
    assert.equal(isNameReserved(new CriError("UNKNOWN", "RunPodSandbox", "cni failed")), false);
  });
});

test("parseMemTotal", () => {
  assert.equal(parseMemTotal("MemTotal:        4028520 kB\nMemFree:  1 kB\n"), 4028520 * 1024);
  assert.throws(() => parseMemTotal("MemFree: 1 kB\n"), /MemTotal/);
});

describe("loadSettings", () => {
  test("defaults", () => {
    const s = loadSettings({ CONTAINER_RUNTIME_ENDPOINT: "unix:///run/containerd/containerd.sock", NATSLET_NODE_NAME: "n1" });
    assert.deepEqual(
      [s.criEndpoint, s.podLogsDir, s.rootDir, s.nodeIp, s.plegPeriodMs, s.nodeName],
      ["unix:///run/containerd/containerd.sock", "/var/log/pods", "/var/lib/natslet", "127.0.0.1", 1000, "n1"],
    );
  });
  test("mistakes name the variable", () => {
    assert.throws(() => loadSettings({}), /CONTAINER_RUNTIME_ENDPOINT must be set/);
    assert.throws(() => loadSettings({ CONTAINER_RUNTIME_ENDPOINT: "tcp://x:1" }), /CONTAINER_RUNTIME_ENDPOINT/);
    assert.throws(() => loadSettings({ CONTAINER_RUNTIME_ENDPOINT: "/x.sock", NATSLET_ROOT_DIR: "rel" }), /NATSLET_ROOT_DIR/);
    assert.throws(() => loadSettings({ CONTAINER_RUNTIME_ENDPOINT: "/x.sock", NATSLET_PLEG_PERIOD_MS: "0" }), /NATSLET_PLEG_PERIOD_MS/);
    assert.throws(() => loadSettings({ CONTAINER_RUNTIME_ENDPOINT: "/x.sock", NATSLET_NODE_IP: "node-1" }), /NATSLET_NODE_IP/);
  });
});

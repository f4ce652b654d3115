// Unit tests of the small helpers: error mapping, /proc/meminfo, the keyed lock, settings.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NatsletError } from "@natslet/contracts";
import { CriError } from "@natslet/cri";
import { isNameReserved, toNatsletError } from "./cri-errors.js";
import { KeyedLock } from "./keyed-lock.js";
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

test("KeyedLock: same key in turn, other keys in parallel", async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  const step = (name: string, ms: number) => async () => {
    order.push(`${name}:start`);
    await new Promise((r) => setTimeout(r, ms));
    order.push(`${name}:end`);
    return name;
  };
  const results = await Promise.all([lock.run("a", step("a1", 20)), lock.run("a", step("a2", 1)), lock.run("b", step("b1", 1))]);
  assert.deepEqual(results, ["a1", "a2", "b1"]);
  assert.ok(order.indexOf("a1:end") < order.indexOf("a2:start"), "a2 waits for a1");
  assert.ok(order.indexOf("b1:end") < order.indexOf("a1:end"), "b1 does not wait for a1");
  assert.equal(lock.size, 0, "nothing left behind");
  await assert.rejects(lock.run("a", () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await lock.run("a", () => Promise.resolve("after a failure")), "after a failure");
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

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeCapacity } from "./capacity.js";
import { conditionsChanged, pressureConditions, readyCondition, stampConditions, type NodeCondition, type RuntimeState } from "./conditions.js";
import { goArch, parseLoadavgThreads, parseMeminfo, parseOsRelease } from "./machine-parse.js";
import { NO_RESERVATION } from "./node-config.js";
import { labelPatch, mergeTaints } from "./node-object.js";
import { shouldPost } from "./status-loop.js";

const Mi = 2 ** 20;
const Gi = 2 ** 30;

describe("capacity and allocatable", () => {
  it("subtracts reservations and the hard eviction thresholds", () => {
    const r = computeCapacity({ cpus: 2, memoryBytes: 4 * Gi, ephemeralStorageBytes: 100 * Gi }, 110, { ...NO_RESERVATION, cpuMillis: 100, memoryBytes: 256 * Mi }, { ...NO_RESERVATION, cpuMillis: 50, memoryBytes: 128 * Mi, ephemeralStorageBytes: Gi });
    assert.deepEqual(r.capacity, { cpu: "2", memory: `${4 * 1024 * 1024}Ki`, "ephemeral-storage": `${100 * 1024 * 1024}Ki`, pods: "110" });
    assert.deepEqual(r.allocatable, {
      cpu: "1850m",
      memory: `${(4 * Gi - 484 * Mi) / 1024}Ki`, // 256 + 128 + 100 (memory.available)
      "ephemeral-storage": `${(99 * Gi - 10 * Gi) / 1024}Ki`, // 1Gi reserved + 10% nodefs.available
      pods: "110",
    });
  });
});

const up = (network: boolean, runtime = true): RuntimeState => ({
  up: true,
  conditions: [
    { type: "RuntimeReady", status: runtime, reason: runtime ? "" : "Broken", message: runtime ? "" : "runc missing" },
    { type: "NetworkReady", status: network, reason: network ? "" : "NetworkPluginNotReady", message: network ? "" : "cni plugin not initialized" },
  ],
});

describe("Ready", () => {
  const cases: [string, RuntimeState, string, string][] = [
    ["runtime and network ready", up(true), "True", "natslet is posting ready status"],
    ["network not ready", up(false), "False", "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized"],
    ["runtime not ready", up(true, false), "False", "container runtime not ready: RuntimeReady=false reason:Broken message:runc missing"],
    ["no answer", { up: false }, "False", "container runtime is down"],
    ["conditions missing", { up: true, conditions: [] }, "False", "container runtime not ready: RuntimeReady condition missing, container runtime network not ready: NetworkReady condition missing"],
  ];
  for (const [name, state, status, message] of cases) {
    it(name, () => {
      const c = readyCondition(state);
      assert.deepEqual([c.status, c.reason, c.message], [status, status === "True" ? "KubeletReady" : "KubeletNotReady", message]);
    });
  }
});

describe("pressure", () => {
  const fine = { memoryAvailableBytes: Gi, nodefs: { availableBytes: 50, capacityBytes: 100 }, pids: { inUse: 100, max: 1000 } };
  const cases: [string, Parameters<typeof pressureConditions>[0], string[]][] = [
    ["all fine", fine, ["KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID"]],
    ["nothing measured", {}, ["KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID"]],
    ["memory.available < 100Mi", { ...fine, memoryAvailableBytes: 99 * Mi }, ["KubeletHasInsufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID"]],
    ["nodefs.available < 10%", { ...fine, nodefs: { availableBytes: 9, capacityBytes: 100 } }, ["KubeletHasSufficientMemory", "KubeletHasDiskPressure", "KubeletHasSufficientPID"]],
    ["imagefs.available < 15%", { ...fine, imagefs: { availableBytes: 14, capacityBytes: 100 } }, ["KubeletHasSufficientMemory", "KubeletHasDiskPressure", "KubeletHasSufficientPID"]],
    ["pid.available < 10%", { ...fine, pids: { inUse: 901, max: 1000 } }, ["KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasInsufficientPID"]],
  ];
  for (const [name, readings, reasons] of cases) {
    it(name, () => {
      const conds = pressureConditions(readings);
      assert.deepEqual(conds.map((c) => c.reason), reasons);
      for (const c of conds) assert.equal(c.status, c.reason.includes("Insufficient") || c.reason === "KubeletHasDiskPressure" ? "True" : "False");
    });
  }
});

describe("condition times", () => {
  const prev: NodeCondition[] = [{ type: "Ready", status: "True", reason: "KubeletReady", message: "m", lastHeartbeatTime: "t0", lastTransitionTime: "t0" }];
  it("keeps the transition time while the status holds, moves the heartbeat", () => {
    assert.deepEqual(stampConditions([{ type: "Ready", status: "True", reason: "KubeletReady", message: "m" }], prev, "t1")[0], { ...prev[0], lastHeartbeatTime: "t1" });
  });
  it("a new status is a transition", () => {
    assert.equal(stampConditions([{ type: "Ready", status: "False", reason: "KubeletNotReady", message: "x" }], prev, "t1")[0]?.lastTransitionTime, "t1");
  });
  it("a controller's Unknown counts as a change", () => {
    const unknown = [{ ...prev[0]!, status: "Unknown" as const, reason: "NodeStatusUnknown" }];
    assert.equal(conditionsChanged([{ type: "Ready", status: "True", reason: "KubeletReady", message: "m" }], unknown), true);
    assert.equal(conditionsChanged([{ type: "Ready", status: "True", reason: "KubeletReady", message: "m" }], prev), false);
  });
});

describe("when to post", () => {
  const cases: [string, boolean, number | undefined, number, boolean][] = [
    ["first check", false, undefined, 0, true],
    ["changed", true, 1000, 2000, true],
    ["unchanged, within the report period", false, 1000, 1000 + 299_999, false],
    ["unchanged, report period over", false, 1000, 1000 + 300_000, true],
  ];
  for (const [name, changed, last, now, post] of cases) it(name, () => assert.equal(shouldPost(changed, last, now, 300_000), post));
});

describe("host files", () => {
  it("meminfo", () => assert.deepEqual(parseMeminfo("MemTotal:  2048 kB\nMemFree: 1 kB\nMemAvailable:   1024 kB\n"), { totalBytes: 2048 * 1024, availableBytes: 1024 * 1024 }));
  it("os-release", () => {
    assert.equal(parseOsRelease('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), "Debian GNU/Linux 12 (bookworm)");
    assert.equal(parseOsRelease(""), "Linux");
  });
  it("loadavg threads", () => assert.equal(parseLoadavgThreads("0.00 0.01 0.05 1/234 5678\n"), 234));
  it("arch", () => assert.deepEqual([goArch("x64"), goArch("arm64")], ["amd64", "arm64"]));
});

describe("adopting an existing node", () => {
  it("patches only differing labels", () => {
    assert.deepEqual(labelPatch({ a: "1", b: "2" }, { a: "1", b: "3", c: "4" }), { b: "3", c: "4" });
    assert.equal(labelPatch({ a: "1" }, { a: "1" }), undefined);
  });
  it("adds missing taints and keeps the controllers'", () => {
    const unreachable = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" as const };
    assert.deepEqual(mergeTaints([unreachable], [{ key: "d", value: "x", effect: "NoSchedule" }]), [unreachable, { key: "d", value: "x", effect: "NoSchedule" }]);
    assert.equal(mergeTaints([unreachable], []), undefined);
  });
});

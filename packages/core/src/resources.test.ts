import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Container, Pod } from "@natslet/contracts";
import type { CriLinuxContainerResources } from "./cri-types.js";
import { linuxContainerResources, milliCpuToQuota, milliCpuToShares, oomScoreAdj } from "./resources.js";
import { basePod } from "./testing/fixtures.js";

const GI = 2 ** 30;
const CAPACITY = 16 * GI;

function podWith(app: Container["resources"], helper?: Container["resources"]): Pod {
  const pod = basePod();
  const [a, h] = pod.spec.containers;
  if (!a || !h) throw new Error("fixture");
  pod.spec.containers = [{ ...a, ...(app ? { resources: app } : {}) }, { ...h, ...(helper ? { resources: helper } : {}) }];
  return pod;
}

describe("cpu conversions", () => {
  const shares: [number, number][] = [[0, 2], [1, 2], [10, 10], [100, 102], [250, 256], [1000, 1024], [2500, 2560], [1_000_000, 262_144]];
  for (const [milli, want] of shares) test(`milliCpuToShares(${milli}) = ${want}`, () => assert.equal(milliCpuToShares(milli), want));
  const quotas: [number, number][] = [[0, 0], [5, 1000], [10, 1000], [250, 25_000], [1000, 100_000], [1500, 150_000]];
  for (const [milli, want] of quotas) test(`milliCpuToQuota(${milli}) = ${want}`, () => assert.equal(milliCpuToQuota(milli, 100_000), want));
});

describe("linuxContainerResources", () => {
  const cases: [string, Pod, CriLinuxContainerResources][] = [
    [
      "BestEffort: minimal shares, period without quota, no memory limit",
      podWith(undefined),
      { cpuPeriod: 100_000, cpuQuota: 0, cpuShares: 2, memoryLimitInBytes: 0, oomScoreAdj: 1000 },
    ],
    [
      "Guaranteed: shares and quota from cpu, memory limit, -997",
      podWith({ limits: { cpu: "500m", memory: "256Mi" } }, { limits: { cpu: "1", memory: "1Gi" } }),
      { cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512, memoryLimitInBytes: 256 * 2 ** 20, oomScoreAdj: -997 },
    ],
    [
      "Burstable with a request: shares from the request, score from the memory share of the node",
      podWith({ requests: { cpu: "250m", memory: "4Gi" } }),
      { cpuPeriod: 100_000, cpuQuota: 0, cpuShares: 256, memoryLimitInBytes: 0, oomScoreAdj: 750 },
    ],
    [
      "Burstable, limit only on cpu: shares from the limit",
      podWith({ limits: { cpu: "2" } }),
      { cpuPeriod: 100_000, cpuQuota: 200_000, cpuShares: 2048, memoryLimitInBytes: 0, oomScoreAdj: 999 },
    ],
    [
      "Burstable requesting the whole node: score floor 3 (above Guaranteed)",
      podWith({ requests: { memory: "16Gi" } }),
      { cpuPeriod: 100_000, cpuQuota: 0, cpuShares: 2, memoryLimitInBytes: 0, oomScoreAdj: 3 },
    ],
    [
      "Burstable with a tiny request: 999, below BestEffort",
      podWith({ requests: { memory: "1Ki" } }),
      { cpuPeriod: 100_000, cpuQuota: 0, cpuShares: 2, memoryLimitInBytes: 0, oomScoreAdj: 999 },
    ],
  ];
  for (const [name, pod, want] of cases) {
    test(name, () => {
      const app = pod.spec.containers[0];
      if (!app) throw new Error("fixture");
      assert.deepEqual(linuxContainerResources(pod, app, { memoryCapacityBytes: CAPACITY }), want);
    });
  }

  test("a container without requests in a Burstable pod scores 999", () => {
    const pod = podWith({ requests: { memory: "1Gi" } });
    const helper = pod.spec.containers[1];
    if (!helper) throw new Error("fixture");
    assert.equal(oomScoreAdj(pod, helper, CAPACITY), 999);
  });

  test("critical priority gets the Guaranteed score", () => {
    const pod = podWith({ requests: { memory: "1Gi" } });
    pod.spec.priority = 2_000_001_000;
    const app = pod.spec.containers[0];
    if (!app) throw new Error("fixture");
    assert.equal(oomScoreAdj(pod, app, CAPACITY), -997);
  });

  test("options: quota disabled, custom period, whole-container OOM kill", () => {
    const pod = podWith({ limits: { cpu: "1" } });
    const app = pod.spec.containers[0];
    if (!app) throw new Error("fixture");
    assert.deepEqual(linuxContainerResources(pod, app, { memoryCapacityBytes: CAPACITY, cpuCfsQuota: false }).cpuQuota, 0);
    assert.deepEqual(linuxContainerResources(pod, app, { memoryCapacityBytes: CAPACITY, cpuPeriodUs: 50_000 }).cpuQuota, 50_000);
    assert.deepEqual(linuxContainerResources(pod, app, { memoryCapacityBytes: CAPACITY, oomKillWholeContainer: true }).unified, {
      "memory.oom.group": "1",
    });
  });
});

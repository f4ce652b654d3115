import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Container, Pod } from "@natslet/contracts";
import { qosClass, type QosClass } from "./qos.js";
import { basePod } from "./testing/fixtures.js";

type Resources = NonNullable<Container["resources"]>;
const g = (cpu: string, memory: string): Resources => ({ limits: { cpu, memory }, requests: { cpu, memory } });

describe("qosClass", () => {
  const cases: [string, (p: Pod) => void, QosClass][] = [
    ["no resources anywhere: BestEffort", () => {}, "BestEffort"],
    ["zero quantities count as unset: BestEffort", (p) => set(p, { requests: { cpu: "0" } }, {}), "BestEffort"],
    ["limits == requests for cpu and memory in every container: Guaranteed", (p) => set(p, g("1", "1Gi"), g("500m", "64Mi")), "Guaranteed"],
    ["only limits set (requests default to them): Guaranteed", (p) => set(p, { limits: { cpu: "1", memory: "1Gi" } }, { limits: { cpu: "2", memory: "1Gi" } }), "Guaranteed"],
    ["same amount spelled differently: Guaranteed", (p) => set(p, { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "1000m", memory: "1024Mi" } }, g("1", "1")), "Guaranteed"],
    ["one container without resources: Burstable", (p) => set(p, g("1", "1Gi"), {}), "Burstable"],
    ["cpu limit only: Burstable", (p) => set(p, { limits: { cpu: "1" } }, { limits: { cpu: "1" } }), "Burstable"],
    ["requests below limits: Burstable", (p) => set(p, { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m", memory: "1Gi" } }, g("1", "1Gi")), "Burstable"],
    ["requests only: Burstable", (p) => set(p, { requests: { memory: "64Mi" } }, {}), "Burstable"],
    [
      "an init container without limits breaks Guaranteed",
      (p) => {
        set(p, g("1", "1Gi"), g("1", "1Gi"));
        p.spec.initContainers = [{ name: "init", image: "busybox", resources: { requests: { cpu: "100m" } } }];
      },
      "Burstable",
    ],
    [
      "init containers with equal limits and requests stay Guaranteed",
      (p) => {
        set(p, g("1", "1Gi"), g("1", "1Gi"));
        p.spec.initContainers = [{ name: "init", image: "busybox", resources: g("100m", "32Mi") }];
      },
      "Guaranteed",
    ],
    ["only an unrelated resource: BestEffort", (p) => set(p, { limits: { "ephemeral-storage": "1Gi" } }, {}), "BestEffort"],
  ];
  for (const [name, mutate, want] of cases) {
    test(name, () => {
      const pod = basePod();
      mutate(pod);
      assert.equal(qosClass(pod), want);
    });
  }
});

function set(pod: Pod, app: Resources, helper: Resources): void {
  const [a, h] = pod.spec.containers;
  if (!a || !h) throw new Error("fixture");
  pod.spec.containers = [{ ...a, resources: app }, { ...h, resources: helper }];
}

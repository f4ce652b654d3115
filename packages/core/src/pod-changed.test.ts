import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "@natslet/contracts";
import { desiredPodChanged } from "./pod-changed.js";
import { basePod } from "./testing/fixtures.js";

const cases: Array<{ name: string; change: (p: Pod) => void; changed: boolean }> = [
  { name: "nothing", change: () => undefined, changed: false },
  { name: "status and resourceVersion only (our own status write)", change: (p) => {
    p.metadata.resourceVersion = "999";
    p.status = { phase: "Running" };
  }, changed: false },
  { name: "deletionTimestamp set", change: (p) => (p.metadata.deletionTimestamp = "2026-11-28T08:00:00Z"), changed: true },
  { name: "a label", change: (p) => (p.metadata.labels = { ...p.metadata.labels, tier: "web" }), changed: true },
  { name: "a container image", change: (p) => {
    const first = p.spec.containers[0];
    if (first) first.image = "busybox:2";
  }, changed: true },
];
for (const c of cases) {
  test(`pod update: ${c.name} → ${c.changed ? "sync" : "no sync"}`, () => {
    const before = basePod();
    const after = structuredClone(before);
    c.change(after);
    assert.equal(desiredPodChanged(before, after), c.changed);
  });
}

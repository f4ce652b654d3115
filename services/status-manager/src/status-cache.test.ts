import assert from "node:assert/strict";
import { test } from "node:test";
import type { PodStatusMessage } from "@natslet/contracts";
import { StatusCache } from "./status-cache.js";

const base: PodStatusMessage = { uid: "u1", namespace: "ns", name: "p", version: 10, status: { phase: "Pending" } };
const msg = (over: Partial<PodStatusMessage>): PodStatusMessage => ({ ...base, ...over });

const cases: Array<{ name: string; written?: PodStatusMessage; deleted?: boolean; incoming: PodStatusMessage; want: boolean }> = [
  { name: "first status of a pod", incoming: base, want: true },
  { name: "same status again (coalesced)", written: base, incoming: msg({ version: 11 }), want: false },
  { name: "newer, different status", written: base, incoming: msg({ version: 11, status: { phase: "Running" } }), want: true },
  { name: "stale status never overwrites a newer one", written: msg({ version: 12 }), incoming: msg({ version: 11, status: { phase: "Running" } }), want: false },
  { name: "same status but now the pod is to be deleted", written: base, incoming: msg({ version: 11, deletePod: true }), want: true },
  { name: "delete already done", written: msg({ deletePod: true }), deleted: true, incoming: msg({ version: 11, deletePod: true }), want: false },
];

for (const c of cases) {
  test(c.name, () => {
    const cache = new StatusCache();
    if (c.written) cache.recordWritten(c.written, c.deleted ?? false);
    assert.equal(cache.needsWrite(c.incoming), c.want);
  });
}

test("retain forgets the pods another replica now writes: their next status is written again", () => {
  const cache = new StatusCache();
  cache.recordWritten(base, false);
  cache.recordWritten(msg({ uid: "u2" }), false);
  cache.retain((uid) => uid === "u2");
  assert.equal(cache.needsWrite(msg({ version: 11 })), true, "u1 forgotten");
  assert.equal(cache.needsWrite(msg({ uid: "u2", version: 11 })), false, "u2 kept");
});

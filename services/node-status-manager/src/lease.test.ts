import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Clock } from "@natslet/kube";
import { createLogger } from "@natslet/telemetry";
import type { Lease, LeaseApi } from "./api.js";
import { decide, observe, renewDeadlineMs, type ElectionRecord } from "./election.js";
import { runHeartbeat } from "./heartbeat.js";

describe("leader election decision", () => {
  const rec = (holder: string, renew = "r1"): ElectionRecord => ({ holderIdentity: holder, renewTime: renew, leaseDurationSeconds: 15 });
  it("creates a missing lease", () => assert.deepEqual(decide(undefined, "me", undefined, 0), { kind: "create" }));
  it("renews its own", () => assert.equal(decide(rec("me"), "me", undefined, 0).kind, "renew"));
  it("takes a released lease at once", () => assert.deepEqual(decide(rec(""), "me", undefined, 0), { kind: "acquire", from: "" }));
  it("waits out another holder's lease, counted from when it last changed", () => {
    let seen = observe(rec("other"), undefined, 1000);
    assert.deepEqual(decide(rec("other"), "me", seen, 15_999), { kind: "wait", holder: "other", expiresInMs: 1 });
    assert.deepEqual(decide(rec("other"), "me", seen, 16_000), { kind: "acquire", from: "other" });
    // A renewal resets the count.
    seen = observe(rec("other", "r2"), seen, 10_000);
    assert.equal(decide(rec("other", "r2"), "me", seen, 16_000).kind, "wait");
  });
  it("a leader gives up before others may take over", () => assert.equal(renewDeadlineMs(15_000, 5_000), 10_000));
});

/** A clock whose sleeps resolve at once and are recorded. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep(ms: number, signal?: AbortSignal) {
      slept.push(ms);
      now += ms;
      if (signal?.aborted) return Promise.reject(new Error("aborted"));
      return Promise.resolve();
    },
  };
}

describe("node lease heartbeat", () => {
  it("retries with 200 ms doubling to 7 s, then renews every 10 s with the owner reference", async () => {
    const clock = fakeClock();
    const stop = new AbortController();
    let failures = 8;
    const writes: Lease[] = [];
    const leases: LeaseApi = {
      get: () => (failures-- > 0 ? Promise.reject(new Error("apiserver down")) : Promise.resolve(undefined)),
      create: (l) => {
        writes.push(l);
        return Promise.resolve({ ...l, resourceVersion: "1" });
      },
      replace: (l) => {
        writes.push(l);
        if (writes.length >= 3) stop.abort();
        return Promise.resolve({ ...l, resourceVersion: String(writes.length) });
      },
    };
    let t = 0;
    await runHeartbeat({ leases, node: { name: "n1", uid: "u1" }, clock, wallNow: () => new Date(Date.UTC(2025, 0, 1, 0, 0, t++)), log: createLogger({ service: "t", node: "n1", level: "silent" }) }, stop.signal);
    assert.deepEqual(clock.slept, [200, 400, 800, 1600, 3200, 6400, 7000, 7000, 10_000, 10_000]);
    assert.deepEqual(writes.map((w) => [w.holderIdentity, w.leaseDurationSeconds, w.resourceVersion]), [["n1", 40, undefined], ["n1", 40, "1"], ["n1", 40, "2"]]);
    assert.deepEqual(writes[0]?.ownerReferences, [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "u1" }]);
    assert.ok(writes[1]!.renewTime < writes[2]!.renewTime, "renewTime advances");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PodStartupTracker } from "./pod-startup.js";

const CREATED = "2026-11-28T10:00:00Z";
const t0 = Date.parse(CREATED);

describe("PodStartupTracker", () => {
  const cases: {
    name: string;
    startTime?: string;
    created?: string;
    pulls?: [number, number][];
    runningAt: number;
    want?: { sliSeconds: number; totalSeconds: number };
  }[] = [
    { name: "no pull", runningAt: t0 + 1500, want: { sliSeconds: 1.5, totalSeconds: 1.5 } },
    { name: "one pull is excluded", pulls: [[t0 + 200, t0 + 5200]], runningAt: t0 + 6000, want: { sliSeconds: 1, totalSeconds: 6 } },
    {
      name: "pulls count from the first start to the last end",
      pulls: [[t0 + 100, t0 + 1100], [t0 + 500, t0 + 3100]],
      runningAt: t0 + 4000,
      want: { sliSeconds: 1, totalSeconds: 4 },
    },
    { name: "a pod that started elsewhere is not tracked", startTime: CREATED, runningAt: t0 + 1000 },
    { name: "no creation time, no SLI", created: "", runningAt: t0 + 1000 },
    { name: "a clock behind the API server gives 0, not a negative", runningAt: t0 - 500, want: { sliSeconds: 0, totalSeconds: 0 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const tracker = new PodStartupTracker();
      tracker.seen("u", c.created === "" ? undefined : (c.created ?? CREATED), c.startTime);
      for (const [s, e] of c.pulls ?? []) tracker.pulled("u", s, e);
      assert.deepEqual(tracker.running("u", c.runningAt), c.want);
    });
  }

  it("reports once per pod, and a later sync does not start tracking again", () => {
    const tracker = new PodStartupTracker();
    tracker.seen("u", CREATED, undefined);
    assert.ok(tracker.running("u", t0 + 1000));
    tracker.seen("u", CREATED, undefined);
    assert.equal(tracker.running("u", t0 + 2000), undefined);
    tracker.forget("u");
    tracker.seen("u", CREATED, undefined);
    assert.ok(tracker.running("u", t0 + 3000), "a forgotten uid is tracked afresh");
  });
});

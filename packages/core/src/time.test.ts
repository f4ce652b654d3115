import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { goDuration, parseRfc3339, rfc3339 } from "./time.js";

describe("time", () => {
  test("rfc3339 cuts to whole seconds, UTC, like metav1.Time", () => {
    assert.equal(rfc3339(Date.parse("2026-11-28T06:20:14.999Z")), "2026-11-28T06:20:14Z");
    assert.equal(rfc3339(0), "1970-01-01T00:00:00Z");
    assert.equal(parseRfc3339("2026-11-28T06:20:14Z"), Date.parse("2026-11-28T06:20:14Z"));
    assert.equal(parseRfc3339("yesterday"), undefined);
  });

  const durations: [number, string][] = [
    [0, "0s"], [500, "500ms"], [10_000, "10s"], [1_500, "1.5s"], [80_000, "1m20s"],
    [160_000, "2m40s"], [300_000, "5m0s"], [3_600_000, "1h0m0s"], [3_723_000, "1h2m3s"], [-10_000, "-10s"],
  ];
  for (const [ms, want] of durations) test(`goDuration(${ms}) = ${want}`, () => assert.equal(goDuration(ms), want));
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { ttlSeconds } from "./settings.js";

test("tombstone TTLs read the way nats-server reads Nats-TTL", () => {
  const cases: Array<[string, number | undefined]> = [
    ["1h", 3600],
    ["90s", 90],
    ["1h30m", 5400],
    ["1.5h", 5400],
    ["3600", 3600],
    ["1s", 1],
    ["0s", undefined],
    ["0", undefined],
    ["500ms", undefined],
    ["1d", undefined],
    ["h", undefined],
    ["", undefined],
    ["-1h", undefined],
  ];
  for (const [text, seconds] of cases) assert.equal(ttlSeconds(text), seconds, text);
});

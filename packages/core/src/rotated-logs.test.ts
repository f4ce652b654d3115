import assert from "node:assert/strict";
import { test } from "node:test";
import { rotatedLogNames, rotatedLogSuffix } from "./rotated-logs.js";

test("rotatedLogSuffix: the kubelet's 20060102-150405, UTC", () => {
  assert.equal(rotatedLogSuffix(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), "20260102-030405");
});

test("rotatedLogNames: only <log>.<suffix>, oldest first", () => {
  const names = ["0.log", "0.log.20260101-000003", "1.log.20260101-000001", "0.log.20260101-000002", "0.log.tmp", "0.log.20260101-000001.gz", "0.log.2026"];
  assert.deepEqual(rotatedLogNames("0.log", names), ["0.log.20260101-000002", "0.log.20260101-000003"]);
});

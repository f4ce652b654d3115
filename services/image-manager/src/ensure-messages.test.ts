import assert from "node:assert/strict";
import { test } from "node:test";
import { goDuration, pulledMessage } from "./ensure.js";

const durations: Array<[number, string]> = [
  [0, "0ms"],
  [523, "523ms"],
  [1000, "1s"],
  [1234, "1.234s"],
  [1500, "1.5s"],
  [62_500, "1m2.5s"],
];
for (const [ms, want] of durations) test(`${ms} ms reads ${want}, as Go prints it`, () => assert.equal(goDuration(ms), want));

test("the Pulled message is the kubelet's", () => {
  assert.equal(
    pulledMessage("busybox:1", 1200, 1500, 4096),
    'Successfully pulled image "busybox:1" in 1.2s (1.5s including waiting). Image size: 4096 bytes.',
  );
  assert.equal(pulledMessage("a", 10, 10, undefined), 'Successfully pulled image "a" in 10ms (10ms including waiting).');
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { pulledMessage } from "./ensure.js";

test("the Pulled message is the kubelet's", () => {
  assert.equal(
    pulledMessage("busybox:1", 1200, 1500, 4096),
    'Successfully pulled image "busybox:1" in 1.2s (1.5s including waiting). Image size: 4096 bytes.',
  );
  assert.equal(pulledMessage("a", 10, 10, undefined), 'Successfully pulled image "a" in 10ms (10ms including waiting).');
});

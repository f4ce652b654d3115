import assert from "node:assert/strict";
import { test } from "node:test";
import { WarnedPods } from "./pod-sync.js";

test("a warning is recorded once per pod and reason, again after the pod is forgotten", () => {
  const warned = new WarnedPods();
  assert.equal(warned.first("u1", "VolumesNotMounted"), true);
  assert.equal(warned.first("u1", "VolumesNotMounted"), false);
  assert.equal(warned.first("u1", "UnsupportedPodSpec"), true);
  assert.equal(warned.first("u2", "VolumesNotMounted"), true);
  warned.forget("u1");
  assert.equal(warned.first("u1", "VolumesNotMounted"), true);
});

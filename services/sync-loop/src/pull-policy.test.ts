import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultPullPolicy } from "./pod-sync.js";

// kubelet/API defaulting: Always for :latest or no tag, IfNotPresent otherwise (digests included).
const cases: Array<[string, "Always" | "IfNotPresent"]> = [
  ["busybox", "Always"],
  ["busybox:latest", "Always"],
  ["busybox:1.36", "IfNotPresent"],
  ["localhost:5000/busybox", "Always"], // a registry port is not a tag
  ["localhost:5000/busybox:1.36", "IfNotPresent"],
  ["registry.example/ns/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"],
];
for (const [image, want] of cases) {
  test(`default pull policy of ${image} is ${want}`, () => assert.equal(defaultPullPolicy(image), want));
}

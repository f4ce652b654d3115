import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultPullPolicy, InvalidImageNameError, normalizedImage, parseImage, pullDecision, withDefaultTag } from "./reference.js";

const DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// kubelet/API defaulting: Always for :latest or no tag, IfNotPresent otherwise (digests included).
const policies: Array<[string, "Always" | "IfNotPresent"]> = [
  ["busybox", "Always"],
  ["busybox:latest", "Always"],
  ["busybox:1.36", "IfNotPresent"],
  ["localhost:5000/busybox", "Always"], // a registry port is not a tag
  ["localhost:5000/busybox:1.36", "IfNotPresent"],
  [`registry.example/ns/app@${DIGEST}`, "IfNotPresent"],
  [`registry.example/ns/app:latest@${DIGEST}`, "IfNotPresent"],
];
for (const [image, want] of policies) {
  test(`default pull policy of ${image} is ${want}`, () => assert.equal(defaultPullPolicy(image), want));
}

const normalized: Array<[string, string]> = [
  ["busybox", "docker.io/library/busybox:latest"],
  ["library/busybox:1.35", "docker.io/library/busybox:1.35"],
  ["index.docker.io/me/app", "docker.io/me/app:latest"],
  ["docker.io/me/app:v1", "docker.io/me/app:v1"],
  ["127.0.0.1:5000/natslet/busybox:1", "127.0.0.1:5000/natslet/busybox:1"],
  ["localhost/natslet/pause:1", "localhost/natslet/pause:1"],
  [`quay.io/a/b@${DIGEST}`, `quay.io/a/b@${DIGEST}`],
];
for (const [image, want] of normalized) {
  test(`${image} normalises to ${want}`, () => assert.equal(normalizedImage(image), want));
}

test("the default tag is added only when neither tag nor digest is given", () => {
  assert.equal(withDefaultTag("busybox"), "busybox:latest");
  assert.equal(withDefaultTag("localhost:5000/a"), "localhost:5000/a:latest");
  assert.equal(withDefaultTag("a:1"), "a:1");
  assert.equal(withDefaultTag(`a@${DIGEST}`), `a@${DIGEST}`);
});

for (const bad of ["", "Busybox", "busy box", "a:", "a@sha256:short", "a//b", "-a", "a:b:c/d"]) {
  test(`"${bad}" is an invalid image name`, () => assert.throws(() => parseImage(bad), InvalidImageNameError));
}

test("parseImage splits domain, path, tag and digest", () => {
  assert.deepEqual(parseImage(`127.0.0.1:5000/x/y:2@${DIGEST}`), { domain: "127.0.0.1:5000", path: "x/y", tag: "2", digest: DIGEST });
});

const decisions: Array<["Always" | "IfNotPresent" | "Never", boolean, string]> = [
  ["Always", true, "pull"],
  ["Always", false, "pull"],
  ["IfNotPresent", true, "present"],
  ["IfNotPresent", false, "pull"],
  ["Never", true, "present"],
  ["Never", false, "never-pull"],
];
for (const [policy, present, want] of decisions) {
  test(`policy ${policy}, image ${present ? "present" : "absent"}: ${want}`, () => assert.equal(pullDecision(policy, present), want));
}

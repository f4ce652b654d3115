import assert from "node:assert/strict";
import { test } from "node:test";
import { SettingsError } from "@natslet/telemetry";
import { imageManagerSettings } from "./settings.js";

test("defaults are the kubelet's", () => {
  const s = imageManagerSettings({ NATSLET_NODE_NAME: "n" });
  assert.equal(s.pullParallelism, 3);
  assert.deepEqual(s.pullBackoff, { initialMs: 10_000, maxMs: 300_000 });
  assert.deepEqual(s.gc, { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000 });
  assert.equal(s.gcPeriodMs, 300_000);
  assert.equal(s.eagerPulls, true);
  assert.deepEqual(s.pinnedImages, []);
  assert.equal(s.credentialVerification.policy, "NeverVerifyPreloadedImages");
  assert.deepEqual(s.credentialVerification.allowlist, { exact: new Set(), prefixes: [] });
});

test("credential verification policy and allowlist are read and checked", () => {
  const s = imageManagerSettings({
    NATSLET_NODE_NAME: "n",
    NATSLET_IMAGE_CREDENTIAL_VERIFICATION: "NeverVerifyAllowlistedImages",
    NATSLET_IMAGE_VERIFICATION_ALLOWLIST: "registry.k8s.io/pause, reg.example/team/*",
  });
  assert.equal(s.credentialVerification.policy, "NeverVerifyAllowlistedImages");
  assert.ok(s.credentialVerification.allowlist.exact.has("registry.k8s.io/pause"));
  assert.deepEqual(s.credentialVerification.allowlist.prefixes, ["reg.example/team/"]);
  assert.throws(() => imageManagerSettings({ NATSLET_IMAGE_CREDENTIAL_VERIFICATION: "Sometimes" }), SettingsError);
  assert.throws(() => imageManagerSettings({ NATSLET_IMAGE_VERIFICATION_ALLOWLIST: "busybox:1.36" }), SettingsError);
});

test("settings are read and checked", () => {
  const s = imageManagerSettings({
    NATSLET_NODE_NAME: "n",
    NATSLET_IMAGE_PULL_PARALLELISM: "1",
    NATSLET_IMAGE_PULL_BACKOFF_MS: "200",
    NATSLET_PINNED_IMAGES: "localhost/natslet/pause:1, registry.k8s.io/pause:3.9",
    NATSLET_IMAGE_EAGER_PULLS: "false",
  });
  assert.equal(s.pullParallelism, 1);
  assert.deepEqual(s.pullBackoff, { initialMs: 200, maxMs: 300_000 });
  assert.deepEqual(s.pinnedImages, ["localhost/natslet/pause:1", "registry.k8s.io/pause:3.9"]);
  assert.equal(s.eagerPulls, false);
  assert.throws(() => imageManagerSettings({ NATSLET_IMAGE_GC_HIGH_PERCENT: "70", NATSLET_IMAGE_GC_LOW_PERCENT: "80" }), SettingsError);
  assert.throws(() => imageManagerSettings({ NATSLET_IMAGE_PULL_PARALLELISM: "0" }), SettingsError);
  assert.throws(() => imageManagerSettings({ NATSLET_IMAGE_EAGER_PULLS: "yes" }), SettingsError);
});

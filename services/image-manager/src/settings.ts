import type { BackoffPolicy } from "@natslet/core";
import { commonSettings, envInt, envOptional, envString, SettingsError, type CommonSettings } from "@natslet/telemetry";
import { DEFAULT_GC_POLICY, type GcPolicy } from "./gc-plan.js";
import { IMAGE_PULL_BACKOFF } from "./pull-backoff.js";
import { parseAllowlist, VERIFICATION_POLICIES, type Allowlist, type VerificationPolicy } from "./pull-records.js";

export interface ImageManagerSettings extends CommonSettings {
  /** Pulls at a time per replica (kubelet: serializeImagePulls=true is 1, maxParallelImagePulls otherwise). */
  readonly pullParallelism: number;
  readonly pullBackoff: BackoffPolicy;
  /** A puller renews its claim on a pull this often ×3; a claim not renewed for this long is taken over. */
  readonly pullLeaseMs: number;
  /** Pull the images of newly seen pods before the sync-loop asks. */
  readonly eagerPulls: boolean;
  readonly gc: GcPolicy;
  /** How often image GC looks at the image filesystem (kubelet: ImageGCPeriod, 5 min); 0 disables it. */
  readonly gcPeriodMs: number;
  /** Images GC never removes besides those in use and those the runtime pins (the sandbox image). */
  readonly pinnedImages: readonly string[];
  /**
   * Ensure secret pulled images (kubelet: imagePullCredentialsVerificationPolicy and
   * preloadedImagesVerificationAllowlist): when a present image must be verified against the
   * pod's credentials before an IfNotPresent or Never container may use it.
   */
  readonly credentialVerification: { policy: VerificationPolicy; allowlist: Allowlist };
}

export function imageManagerSettings(env: Readonly<Record<string, string | undefined>> = process.env): ImageManagerSettings {
  const gc: GcPolicy = {
    highThresholdPercent: envInt(env, "NATSLET_IMAGE_GC_HIGH_PERCENT", DEFAULT_GC_POLICY.highThresholdPercent, 0, 100),
    lowThresholdPercent: envInt(env, "NATSLET_IMAGE_GC_LOW_PERCENT", DEFAULT_GC_POLICY.lowThresholdPercent, 0, 100),
    minAgeMs: envInt(env, "NATSLET_IMAGE_GC_MIN_AGE_MS", DEFAULT_GC_POLICY.minAgeMs, 0),
  };
  if (gc.lowThresholdPercent > gc.highThresholdPercent) {
    throw new SettingsError(
      `NATSLET_IMAGE_GC_LOW_PERCENT=${gc.lowThresholdPercent} must not exceed NATSLET_IMAGE_GC_HIGH_PERCENT=${gc.highThresholdPercent}`,
    );
  }
  const eager = envString(env, "NATSLET_IMAGE_EAGER_PULLS", "true");
  if (eager !== "true" && eager !== "false") throw new SettingsError(`NATSLET_IMAGE_EAGER_PULLS=${eager} must be true or false`);
  const initialMs = envInt(env, "NATSLET_IMAGE_PULL_BACKOFF_MS", IMAGE_PULL_BACKOFF.initialMs, 1);
  const policy = envString(env, "NATSLET_IMAGE_CREDENTIAL_VERIFICATION", "NeverVerifyPreloadedImages");
  if (!(VERIFICATION_POLICIES as readonly string[]).includes(policy)) {
    throw new SettingsError(`NATSLET_IMAGE_CREDENTIAL_VERIFICATION=${policy} must be one of ${VERIFICATION_POLICIES.join(", ")}`);
  }
  const patterns = (envOptional(env, "NATSLET_IMAGE_VERIFICATION_ALLOWLIST") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  let allowlist: Allowlist;
  try {
    allowlist = parseAllowlist(patterns);
  } catch (err) {
    throw new SettingsError(`NATSLET_IMAGE_VERIFICATION_ALLOWLIST: ${(err as Error).message}`);
  }
  return {
    ...commonSettings("image-manager", env),
    pullParallelism: envInt(env, "NATSLET_IMAGE_PULL_PARALLELISM", 3, 1, 100),
    pullBackoff: { initialMs, maxMs: envInt(env, "NATSLET_IMAGE_PULL_BACKOFF_MAX_MS", IMAGE_PULL_BACKOFF.maxMs, initialMs) },
    pullLeaseMs: envInt(env, "NATSLET_IMAGE_PULL_LEASE_MS", 30_000, 1000),
    eagerPulls: eager === "true",
    gc,
    gcPeriodMs: envInt(env, "NATSLET_IMAGE_GC_PERIOD_MS", 300_000, 0),
    credentialVerification: { policy: policy as VerificationPolicy, allowlist },
    pinnedImages: (envOptional(env, "NATSLET_PINNED_IMAGES") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
  };
}

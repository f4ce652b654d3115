// Ensure secret pulled images (KEP-2535) at the image-manager's edge: may a pod use an image
// that is present without pulling it (the decision is pure, in pull-records.ts), and what a pull
// leaves on record for the pods after it. The records live in KV (pull-records-store.ts).
import type { Logger } from "@natslet/telemetry";
import type { RegistryCredential } from "./credentials.js";
import type { ImageMetrics } from "./metrics.js";
import type { PullRecordStore } from "./pull-records-store.js";
import {
  credentialHash,
  decideAccess,
  recordSaysPulled,
  requiresVerification,
  type AccessDecision,
  type Allowlist,
  type PullCredentials,
  type SecretCredential,
  type VerificationPolicy,
} from "./pull-records.js";

export interface CredentialCheckDeps {
  records: PullRecordStore;
  verification: { policy: VerificationPolicy; allowlist: Allowlist };
  metrics: ImageMetrics;
  log: Logger;
}

/** What a pull with `credential` (none: anonymous) lets others use (kubelet: trackedToImagePullCreds). */
export function pullCredentialsOf(credential: RegistryCredential | undefined): PullCredentials {
  return credential === undefined ? { anonymous: true } : { secret: secretCredentialOf(credential) };
}

function secretCredentialOf(credential: RegistryCredential): SecretCredential {
  // Credentials always come from a Secret here; one without (never expected) is still hashed, never anonymous.
  const source = credential.source ?? { namespace: "", name: "", uid: "" };
  return { ...source, credentialHash: credentialHash(credential.auth) };
}

/**
 * May this pod use the present image `imageRef` without a pull? Records that cannot be read count
 * as "verify" (kubelet: an error accessing the records forces the pull).
 */
export async function checkAccess(
  normalized: string,
  repository: string,
  imageRef: string,
  credentials: () => Promise<RegistryCredential[]>,
  deps: CredentialCheckDeps,
): Promise<AccessDecision> {
  try {
    const { policy, allowlist } = deps.verification;
    // Policies that never look at records skip the reads.
    if (policy === "NeverVerify") {
      deps.metrics.credentialChecks.labels("credentialPolicyAllowed").inc();
      return decideAccess(false, undefined, repository, []);
    }
    const record = await deps.records.get(imageRef);
    const pulledByUs = recordSaysPulled(record, repository) || (await deps.records.intentExists(normalized));
    const verify = requiresVerification(policy, allowlist, repository, pulledByUs);
    if (!verify && !pulledByUs && record?.repositories[repository] === undefined) {
      // First use of a preloaded image under this name: remembered (see RepositoryCredentials.preloaded).
      await deps.records.record(imageRef, repository, { preloaded: true }).catch((err: unknown) => {
        deps.log.warn({ err, image: normalized }, "could not record a preloaded image");
      });
    }
    const needsSecrets = verify && (record?.repositories[repository]?.secrets?.length ?? 0) > 0;
    const podSecrets = needsSecrets ? (await credentials()).map(secretCredentialOf) : [];
    const decision = decideAccess(verify, record, repository, podSecrets);
    deps.metrics.credentialChecks.labels(checkResult(decision)).inc();
    if (decision.allowed && decision.remember) {
      await deps.records.record(imageRef, repository, { secret: decision.remember }).catch((err: unknown) => {
        deps.log.warn({ err, image: normalized }, "could not add a matching secret to the pull record");
      });
    }
    return decision;
  } catch (err) {
    deps.metrics.credentialChecks.labels("error").inc();
    deps.log.warn({ err, image: normalized }, "pull records unreadable; verifying with the registry");
    return { allowed: false, why: "no record" };
  }
}

/** The kubelet's result label for a check. */
function checkResult(decision: AccessDecision): string {
  if (!decision.allowed) return "mustAuthenticate";
  return decision.why === "policy" ? "credentialPolicyAllowed" : "credentialRecordFound";
}

/** Records who pulled the image; a failure is logged (the puller's intent keeps the image verified). */
export async function recordPull(imageRef: string, repository: string, used: RegistryCredential | undefined, deps: CredentialCheckDeps): Promise<void> {
  await deps.records.record(imageRef, repository, pullCredentialsOf(used)).catch((err: unknown) => {
    deps.log.warn({ err, imageRef }, "could not record the pull's credentials");
  });
}

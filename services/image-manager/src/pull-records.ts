// Ensure secret pulled images (KEP-2535, kubelet feature KubeletEnsureSecretPulledImages): which
// credentials pulled an image, and whether a pod may use a present image without pulling it.
// Pure: the records live in KV (pull-records-store.ts); this module decides.
//
// A record is kept per image ID (the runtime's imageRef) and, inside it, per repository
// ("registry/path", no tag or digest), as the kubelet's ImagePulledRecord.credentialMapping: the
// same image ID reached through another repository needs its own verification.
import { createHash } from "node:crypto";
import type { ImageAuth } from "@natslet/contracts";
import { parseImage } from "./reference.js";

/** kubelet: imagePullCredentialsVerificationPolicy. */
export const VERIFICATION_POLICIES = ["NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages", "AlwaysVerify"] as const;
export type VerificationPolicy = (typeof VERIFICATION_POLICIES)[number];

/** A pull secret's credential as recorded: where it came from and a hash of what it holds, never the secret. */
export interface SecretCredential {
  namespace: string;
  name: string;
  uid: string;
  credentialHash: string;
}

/** Who may use an image of one repository (kubelet: ImagePullCredentials). */
export interface RepositoryCredentials {
  /** Pulled without credentials: any pod of the node may use it (kubelet: nodePodsAccessible). */
  anonymous?: boolean;
  secrets?: SecretCredential[];
  /**
   * Seen present under this repository before any pull of ours (kubelet: preloaded): remembered
   * so that a later pull of the same image ID through another repository does not turn a
   * preloaded image into one that must be verified.
   */
  preloaded?: boolean;
}

/** kubelet: ImagePulledRecord. */
export interface PulledRecord {
  imageRef: string;
  /** ms since epoch of the last change. */
  updated: number;
  repositories: Record<string, RepositoryCredentials>;
}

/** The credentials one pull used: none, or one of the pod's pull secrets. */
export type PullCredentials = { anonymous: true } | { secret: SecretCredential } | { preloaded: true };

/** kubelet: a matching write stops here so namespace churn cannot grow a record without bound. */
export const MAX_SECRETS_WRITTEN_WHILE_MATCHING = 100;

/**
 * sha256 over the effective credential (user, password, tokens). The docker config `auth` field
 * is not hashed separately: it is base64("user:password"), already split into user and password,
 * so two secrets spelling the same credential differently hash alike (the kubelet's keyring
 * also keeps only the decoded user and password). A fixed prefix versions the format.
 */
export function credentialHash(auth: ImageAuth): string {
  const fields = [auth.username ?? "", auth.password ?? "", auth.identityToken ?? "", auth.registryToken ?? ""];
  return createHash("sha256").update(["natslet-image-credential/v1", ...fields].join("\u0000")).digest("hex");
}

/** "registry/path" of an image, without tag or digest (kubelet: trimImageTagDigest). */
export function repositoryOf(image: string): string {
  const ref = parseImage(image);
  return `${ref.domain}/${ref.path}`;
}

/**
 * The kubelet's preloadedImagesVerificationAllowlist: exact repositories ("registry/path", no
 * tag or digest) or prefixes ending in "/*". Throws on anything else, with the pattern.
 */
export interface Allowlist {
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
}

export function parseAllowlist(patterns: readonly string[]): Allowlist {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern !== pattern.trim() || pattern === "") throw new Error(`allowlist pattern "${pattern}" is empty or has spaces around it`);
    const wildcard = pattern.endsWith("/*");
    const body = wildcard ? pattern.slice(0, -1) : pattern;
    if (body.includes("*")) throw new Error(`allowlist pattern "${pattern}": only a trailing "/*" wildcard is allowed`);
    if (wildcard) {
      if (body.length <= 1) throw new Error(`allowlist pattern "${pattern}": at least a registry host is required`);
      prefixes.push(body);
      continue;
    }
    let repository: string;
    try {
      repository = repositoryOf(pattern);
    } catch {
      throw new Error(`allowlist pattern "${pattern}" is not an image name`);
    }
    const ref = parseImage(pattern);
    if (ref.tag !== undefined || ref.digest !== undefined) throw new Error(`allowlist pattern "${pattern}": neither tag nor digest is accepted`);
    exact.add(repository);
  }
  return { exact, prefixes };
}

export function allowlisted(allowlist: Allowlist, repository: string): boolean {
  return allowlist.exact.has(repository) || allowlist.prefixes.some((p) => repository.startsWith(p));
}

/**
 * What the record says about the image having been pulled by us (kubelet: isPulledByKubelet,
 * without the intent part): an entry for this repository that is not "preloaded", or, with no
 * entry for it, any pulled entry at all (the same image ID pulled through another repository).
 */
export function recordSaysPulled(record: PulledRecord | undefined, repository: string): boolean {
  if (record === undefined) return false;
  const own = record.repositories[repository];
  if (own !== undefined) return own.preloaded !== true;
  return Object.values(record.repositories).some((c) => c.preloaded !== true);
}

/**
 * Whether the policy asks for credential verification (kubelet: RequireCredentialVerificationForImage).
 * `pulledByUs`: a record of a pull exists for the image, or a pull of it was under way (an intent).
 */
export function requiresVerification(policy: VerificationPolicy, allowlist: Allowlist, repository: string, pulledByUs: boolean): boolean {
  switch (policy) {
    case "NeverVerify":
      return false;
    case "NeverVerifyPreloadedImages":
      return pulledByUs;
    case "NeverVerifyAllowlistedImages":
      return !allowlisted(allowlist, repository);
    case "AlwaysVerify":
      return true;
  }
}

export type AccessDecision =
  | {
      allowed: true;
      why: "policy" | "anonymous" | "secret";
      /** The pod's secret to add to the record (a new Secret holding recorded credentials, or a rotated one). */
      remember?: SecretCredential;
    }
  | { allowed: false; why: "no record" | "repository not recorded" | "no matching credentials" };

/**
 * May a pod whose credentials for the image are `podSecrets` use the present image without a
 * pull? (kubelet: PullManager.MustAttemptImagePull, negated.) `verify` is requiresVerification's answer.
 */
export function decideAccess(
  verify: boolean,
  record: PulledRecord | undefined,
  repository: string,
  podSecrets: readonly SecretCredential[],
): AccessDecision {
  if (!verify) return { allowed: true, why: "policy" };
  if (record === undefined) return { allowed: false, why: "no record" };
  const cached = record.repositories[repository];
  if (cached === undefined) return { allowed: false, why: "repository not recorded" };
  if (cached.anonymous === true) return { allowed: true, why: "anonymous" };
  const recorded = cached.secrets ?? [];
  const canWrite = recorded.length < MAX_SECRETS_WRITTEN_WHILE_MATCHING;
  for (const pod of podSecrets) {
    for (const known of recorded) {
      const sameHash = known.credentialHash !== "" && pod.credentialHash === known.credentialHash;
      const sameSecret = pod.uid === known.uid && pod.namespace === known.namespace && pod.name === known.name;
      // The same credentials in another Secret, or the very Secret that pulled it (since rotated):
      // both count, as in the kubelet; the record learns the new one so the next check is direct.
      if (sameHash || sameSecret) {
        const remember = canWrite && !(sameHash && sameSecret) ? pod : undefined;
        return remember ? { allowed: true, why: "secret", remember } : { allowed: true, why: "secret" };
      }
    }
  }
  return { allowed: false, why: "no matching credentials" };
}

/**
 * `record` with `credentials` added for `repository` (kubelet: pulledRecordMergeNewCreds);
 * `changed` is false when it already held them, so no write is needed.
 */
export function mergeCredentials(
  record: PulledRecord | undefined,
  imageRef: string,
  repository: string,
  credentials: PullCredentials,
  now: number,
): { record: PulledRecord; changed: boolean } {
  const base: PulledRecord = record ?? { imageRef, updated: now, repositories: {} };
  const current = base.repositories[repository];
  let next: RepositoryCredentials;
  if ("preloaded" in credentials) {
    // Only a repository with no entry yet: a pull's record always wins over "preloaded".
    if (current !== undefined) return { record: base, changed: record === undefined };
    next = { preloaded: true };
  } else if ("anonymous" in credentials) {
    if (current?.anonymous === true) return { record: base, changed: record === undefined };
    next = { ...withoutPreloaded(current), anonymous: true };
  } else {
    const secret = credentials.secret;
    const secrets = [...(current?.secrets ?? [])];
    const i = secrets.findIndex((s) => s.uid === secret.uid && s.namespace === secret.namespace && s.name === secret.name);
    if (i >= 0 && secrets[i]?.credentialHash === secret.credentialHash) return { record: base, changed: record === undefined };
    if (i >= 0) secrets[i] = secret;
    else secrets.push(secret);
    secrets.sort((a, b) => `${a.namespace}/${a.name}/${a.uid}`.localeCompare(`${b.namespace}/${b.name}/${b.uid}`));
    next = { ...withoutPreloaded(current), secrets };
  }
  return { record: { imageRef: base.imageRef, updated: now, repositories: { ...base.repositories, [repository]: next } }, changed: true };
}

function withoutPreloaded(current: RepositoryCredentials | undefined): RepositoryCredentials {
  if (current === undefined) return {};
  const { preloaded: _preloaded, ...rest } = current;
  return rest;
}

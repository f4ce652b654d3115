// EnsureImageExists, the kubelet's way (pkg/kubelet/images/image_manager.go), with the pull
// shared across requests and replicas. Every outcome is a reply the sync-loop can put in the
// container's waiting state as it is, and the Events a kubelet would record for it.
import type { KV } from "@nats-io/kv";
import type { PodRef, Runtime } from "@natslet/bus";
import type { EnsureImageReply, ImageAuth, ImageRequest, PullPolicy } from "@natslet/contracts";
import { goDuration, type BackoffPolicy } from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import { credentialsOfSecret, matchingCredentials, type RegistryCredential } from "./credentials.js";
import type { ImageEvents } from "./events.js";
import { getJson, hashToken, keys, putJson } from "./kv-state.js";
import type { ImageMetrics } from "./metrics.js";
import { backoffRemaining, nextBackoff, type BackoffEntry } from "./pull-backoff.js";
import { checkAccess, pullCredentialsOf, recordPull } from "./credential-check.js";
import type { PullRecordStore } from "./pull-records-store.js";
import { repositoryOf, type Allowlist, type VerificationPolicy } from "./pull-records.js";
import { defaultPullPolicy, InvalidImageNameError, normalizedImage, pullDecision, withDefaultTag } from "./reference.js";
import type { SecretReader } from "./secrets.js";
import type { Semaphore } from "./semaphore.js";
import type { PullOutcome, SharedPulls } from "./shared-pulls.js";

export interface EnsureDeps {
  node: string;
  runtime: Runtime;
  events: ImageEvents;
  secrets: SecretReader;
  shared: SharedPulls;
  /** The pulls bucket: back-off entries and eager-pull results. */
  kv: KV;
  semaphore: Semaphore;
  /** Which credentials pulled which image (ensure secret pulled images). */
  records: PullRecordStore;
  verification: { policy: VerificationPolicy; allowlist: Allowlist };
  metrics: ImageMetrics;
  backoff: BackoffPolicy;
  clock: () => number;
  log: Logger;
}

/** What an eager pull left for the Ensure of the same pod and container. */
interface EagerRecord {
  consumed?: boolean;
  imageRef?: string;
  pulledMs?: number;
  size?: number;
}

export type EnsureRequest = ImageRequest<"Ensure">;

/** After ErrImagePull, look again soon: the container should show ImagePullBackOff next. */
const AFTER_PULL_ERROR_MS = 1000;

export async function ensureImage(req: EnsureRequest, deps: EnsureDeps): Promise<EnsureImageReply> {
  const reply = await ensure(req, deps);
  deps.metrics.ensures.labels(reply.result === "ready" ? (reply.pulled ? "pulled" : "present") : reply.reason).inc();
  return reply;
}

async function ensure(req: EnsureRequest, deps: EnsureDeps): Promise<EnsureImageReply> {
  const { pod, container } = req;
  const event = (type: "Normal" | "Warning", reason: string, message: string) => deps.events.pod(pod, type, reason, message, container);

  let image: string;
  let normalized: string;
  try {
    image = withDefaultTag(req.image);
    normalized = normalizedImage(req.image);
  } catch (err) {
    if (!(err instanceof InvalidImageNameError)) throw err;
    const message = `Failed to apply default image tag "${req.image}": ${err.message}`;
    event("Warning", "InspectFailed", message);
    event("Warning", "Failed", "Error: InvalidImageName");
    return { result: "waiting", reason: "InvalidImageName", message };
  }
  const policy: PullPolicy = req.policy ?? defaultPullPolicy(req.image);

  // What an eager pull for this very container did is reported now, as if this request pulled.
  const eagerKey = keys.eager(deps.node, pod.uid, container, normalized);
  const eager = policy === "Never" ? undefined : await getJson<EagerRecord>(deps.kv, eagerKey);
  if (eager && !eager.value.consumed && eager.value.imageRef !== undefined) {
    await putJson(deps.kv, eagerKey, { consumed: true } satisfies EagerRecord);
    event("Normal", "Pulling", `Pulling image "${req.image}"`);
    event("Normal", "Pulled", pulledMessage(req.image, eager.value.pulledMs ?? 0, eager.value.pulledMs ?? 0, eager.value.size));
    return { result: "ready", imageRef: eager.value.imageRef, pulled: true };
  }

  // The kubelet's message also when the image is present but this pod cannot show it may use it.
  const neverPull = (): EnsureImageReply => {
    const message = `Container image "${req.image}" is not present with pull policy of Never`;
    event("Warning", "ErrImageNeverPull", message);
    event("Warning", "Failed", "Error: ErrImageNeverPull");
    return { result: "waiting", reason: "ErrImageNeverPull", message };
  };
  const repository = repositoryOf(req.image);
  const credentials = podCredentials(req, image, event, deps);
  const present = (await deps.runtime.call("ImageStatus", { image })).image;
  switch (pullDecision(policy, present !== undefined)) {
    case "present": {
      const access = present ? await checkAccess(normalized, repository, present.id, credentials, deps) : undefined;
      if (present && access?.allowed) {
        event("Normal", "Pulled", `Container image "${req.image}" already present on machine and can be accessed by the pod`);
        return { result: "ready", imageRef: present.id, pulled: false };
      }
      deps.log.info({ pod_uid: pod.uid, image: req.image, why: access?.why }, "present image not verified for this pod's credentials");
      if (policy === "Never") return neverPull();
      break; // IfNotPresent: the registry decides, with this pod's credentials
    }
    case "never-pull":
      return neverPull();
    case "pull":
      break;
  }

  const backoffKey = keys.backoff(deps.node, pod.uid, normalized);
  const backoff = await getJson<BackoffEntry>(deps.kv, backoffKey);
  const remaining = backoffRemaining(backoff?.value, deps.clock(), deps.backoff);
  if (remaining > 0) {
    event("Normal", "BackOff", `Back-off pulling image "${req.image}"`);
    event("Warning", "Failed", "Error: ImagePullBackOff");
    return {
      result: "waiting",
      reason: "ImagePullBackOff",
      message: `Back-off pulling image "${req.image}": ErrImagePull: ${backoff?.value.message ?? ""}`,
      retryInMs: remaining,
    };
  }

  const auths = await credentials();
  event("Normal", "Pulling", `Pulling image "${req.image}"`);
  const started = deps.clock();
  const { outcome, pulledMs, used } = await sharedPull(image, normalized, auths, pod, deps);
  // This request's own pull does not leave an eager result behind for a later restart.
  await putJson(deps.kv, eagerKey, { consumed: true } satisfies EagerRecord).catch(() => undefined);
  if (!outcome.ok) {
    const entry = nextBackoff(backoff?.value, deps.clock(), outcome.message, deps.backoff);
    await putJson(deps.kv, backoffKey, entry);
    event("Warning", "Failed", `Failed to pull image "${req.image}": ${outcome.message}`);
    event("Warning", "Failed", "Error: ErrImagePull");
    return { result: "waiting", reason: "ErrImagePull", message: outcome.message, retryInMs: Math.min(AFTER_PULL_ERROR_MS, entry.backoffMs) };
  }
  if (backoff) await deps.kv.delete(backoffKey).catch(() => undefined);
  await recordPull(outcome.imageRef, repository, used, deps);
  const size = (await deps.runtime.call("ImageStatus", { image }).catch(() => ({ image: undefined }))).image?.size;
  event("Normal", "Pulled", pulledMessage(req.image, pulledMs ?? deps.clock() - started, deps.clock() - started, size));
  return { result: "ready", imageRef: outcome.imageRef, pulled: true };
}

/**
 * An eager pull (the pod was just seen; the sync-loop has not asked yet): only a missing image
 * is fetched, quietly. The Events come when the sync-loop's Ensure reports the result; a
 * failure is left for that Ensure to meet itself (it pulls again, then backs off).
 */
export async function eagerPull(req: EnsureRequest, deps: EnsureDeps): Promise<void> {
  let image: string;
  let normalized: string;
  try {
    image = withDefaultTag(req.image);
    normalized = normalizedImage(req.image);
  } catch {
    return;
  }
  if ((req.policy ?? defaultPullPolicy(req.image)) === "Never") return;
  if ((await deps.runtime.call("ImageStatus", { image })).image !== undefined) return;
  const backoff = await getJson<BackoffEntry>(deps.kv, keys.backoff(deps.node, req.pod.uid, normalized));
  if (backoffRemaining(backoff?.value, deps.clock(), deps.backoff) > 0) return;
  const quiet = () => undefined;
  const auths = await podCredentials(req, image, quiet, deps)();
  const { outcome, pulledMs, used } = await sharedPull(image, normalized, auths, req.pod, deps);
  if (!outcome.ok) {
    deps.log.info({ pod_uid: req.pod.uid, image: req.image, err: outcome.message }, "eager pull failed; the sync-loop's request will retry");
    return;
  }
  await recordPull(outcome.imageRef, repositoryOf(req.image), used, deps);
  const size = (await deps.runtime.call("ImageStatus", { image }).catch(() => ({ image: undefined }))).image?.size;
  const record: EagerRecord = { imageRef: outcome.imageRef, pulledMs: pulledMs ?? 0, ...(size !== undefined ? { size } : {}) };
  // create, not put: an Ensure that already reported this container's pull wrote `consumed`.
  await deps.kv.create(keys.eager(deps.node, req.pod.uid, req.container, normalized), JSON.stringify(record)).catch(() => undefined);
}

/**
 * The credentials to try, from the pod's pull secrets, read once on first use (the check of a
 * present image and the pull after it share them); missing secrets are a warning, like the kubelet's.
 */
function podCredentials(
  req: EnsureRequest,
  image: string,
  event: (type: "Normal" | "Warning", reason: string, message: string) => void,
  deps: EnsureDeps,
): () => Promise<RegistryCredential[]> {
  let read: Promise<RegistryCredential[]> | undefined;
  return () => (read ??= readPodCredentials(req, image, event, deps));
}

async function readPodCredentials(
  req: EnsureRequest,
  image: string,
  event: (type: "Normal" | "Warning", reason: string, message: string) => void,
  deps: EnsureDeps,
): Promise<RegistryCredential[]> {
  const credentials: RegistryCredential[] = [];
  const missing: string[] = [];
  for (const name of req.pullSecrets) {
    if (name === "") continue;
    try {
      const secret = await deps.secrets.get(req.pod.namespace, name);
      if (secret === undefined) missing.push(name);
      else credentials.push(...credentialsOfSecret(secret));
    } catch (err) {
      deps.log.warn({ err, secret: name, pod_uid: req.pod.uid }, "pull secret unusable");
      missing.push(name);
    }
  }
  if (missing.length > 0) {
    event(
      "Warning",
      "FailedToRetrieveImagePullSecret",
      `Unable to retrieve some image pull secrets (${missing.join(", ")}); attempting to pull the image may not succeed.`,
    );
  }
  return matchingCredentials(image, credentials);
}

/**
 * Tries each matching credential (most specific first), or none when none match; the first
 * success wins, else the last failure counts (kubelet: pullImage over keyring.Lookup).
 */
async function sharedPull(
  image: string,
  normalized: string,
  credentials: readonly RegistryCredential[],
  pod: PodRef,
  deps: EnsureDeps,
): Promise<{ outcome: PullOutcome; pulledMs?: number; used?: RegistryCredential }> {
  let last: { outcome: PullOutcome; pulledMs?: number } = { outcome: { ok: false, code: "Internal", message: "no pull attempted" } };
  const repository = repositoryOf(image);
  for (const credential of credentials.length > 0 ? credentials : [undefined]) {
    const auth: ImageAuth | undefined = credential?.auth;
    let pulledMs: number | undefined;
    const key = keys.pull(deps.node, normalized, auth ? hashToken(JSON.stringify(auth)) : "anonymous");
    const result = await deps.shared.pull(key, () =>
      deps.semaphore.run(() =>
        // The intent covers the time between the image landing and its record being written.
        deps.records.withIntent<PullOutcome>(normalized, async () => {
          const started = deps.clock();
          try {
            const { imageRef } = await deps.runtime.call("PullImage", { image, podUid: pod.uid, ...(auth ? { auth } : {}) });
            pulledMs = deps.clock() - started;
            deps.metrics.pulls.labels("success").inc();
            deps.metrics.pullDuration.labels("success").observe(pulledMs / 1000);
            deps.log.info({ image, ms: pulledMs, pod_uid: pod.uid }, "pulled image");
            const recorded = await deps.records.record(imageRef, repository, pullCredentialsOf(credential), { touch: true }).then(
              () => true,
              (err: unknown) => {
                deps.log.warn({ err, imageRef }, "could not record the pull's credentials; its intent stays");
                return false;
              },
            );
            return { value: { ok: true, imageRef } satisfies PullOutcome, dropIntent: recorded };
          } catch (err) {
            deps.metrics.pulls.labels("failure").inc();
            deps.metrics.pullDuration.labels("failure").observe((deps.clock() - started) / 1000);
            const code = (err as { code?: unknown }).code;
            const message = (err instanceof Error ? err.message : String(err)).replace(/^natslet\.\S+: /, "");
            deps.log.info({ image, err: message, pod_uid: pod.uid }, "image pull failed");
            return { value: { ok: false, code: typeof code === "string" ? code : "Internal", message } satisfies PullOutcome, dropIntent: true };
          }
        }),
      ),
    );
    if (result.joined) deps.metrics.joinedPulls.labels(result.joined).inc();
    last = pulledMs !== undefined ? { outcome: result.outcome, pulledMs } : { outcome: result.outcome };
    if (result.outcome.ok) return credential ? { ...last, used: credential } : last;
  }
  return last;
}

/** kubelet: `Successfully pulled image "x" in 1.2s (1.5s including waiting). Image size: N bytes.` */
export function pulledMessage(image: string, pullMs: number, totalMs: number, size: number | undefined): string {
  const sizeText = size !== undefined ? ` Image size: ${size} bytes.` : "";
  return `Successfully pulled image "${image}" in ${goDuration(Math.round(pullMs))} (${goDuration(Math.round(totalMs))} including waiting).${sizeText}`;
}

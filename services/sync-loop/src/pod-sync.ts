// One pass of a pod worker (kubelet: SyncPod / SyncTerminatingPod): observe, decide with
// @natslet/core, act through the runtime-adapter, report the status. Errors of single steps
// become waiting reasons and Events; the next pass retries.
import { hasErrorCode, type ObservedPod, type Pod, type RuntimeReply } from "@natslet/contracts";
import {
  computePodActions, computePodStatus, previousStatusOf, recordRestarts, type CrashLoopBackoff, type PodActions, type WaitingReason,
} from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import type { EventPublisher, StatusPublisher } from "./publishers.js";
import type { RuntimeClient } from "./runtime-client.js";

export interface PodSyncDeps {
  runtime: RuntimeClient;
  statuses: StatusPublisher;
  events: EventPublisher;
  backoff: CrashLoopBackoff;
  /** Warnings already recorded per pod: an admission-like warning is an Event once, not every resync. */
  warned: WarnedPods;
  hostIp: string;
  clock: () => number;
  log: Logger;
}

export interface SyncResult {
  /** Sync again after this long at the latest (back-off expiry), if sooner than the resync period. */
  retryInMs?: number;
  /** Nothing of the pod is left in the runtime and it is gone from the API server: forget it. */
  forget?: boolean;
}

/** Which warnings were recorded for which pod. */
export class WarnedPods {
  readonly #seen = new Map<string, Set<string>>();

  /** True the first time `reason` is asked for `uid`. */
  first(uid: string, reason: string): boolean {
    const reasons = this.#seen.get(uid) ?? new Set<string>();
    this.#seen.set(uid, reasons);
    if (reasons.has(reason)) return false;
    reasons.add(reason);
    return true;
  }

  forget(uid: string): void {
    this.#seen.delete(uid);
  }
}

/** Syncs a pod the API server still has (possibly being deleted). */
export async function syncPod(pod: Pod, deps: PodSyncDeps): Promise<SyncResult> {
  const uid = pod.metadata.uid;
  let observed = await deps.runtime.call("GetPod", { uid });
  const now = deps.clock();
  const actions = computePodActions(pod, observed, { now, backoff: deps.backoff });
  const waiting: Record<string, WaitingReason> = {};
  for (const w of actions.waiting) waiting[w.name] = { reason: w.reason, message: w.message };

  const changed = await execute(pod, observed, actions, waiting, deps);
  if (changed) observed = await deps.runtime.call("GetPod", { uid });

  // The status this loop published last is the freshest "previous" (the copy in pod.status may
  // predate it: status-only updates of the pod do not trigger a sync).
  const last = deps.statuses.lastStatus(pod.metadata.uid);
  const status = computePodStatus(pod, observed, {
    now: deps.clock(),
    hostIp: deps.hostIp,
    waiting,
    ...(last ? { previous: previousStatusOf(last) } : {}),
    ...(actions.unsupported ? { rejected: actions.unsupported } : {}),
  });
  const terminated = pod.metadata.deletionTimestamp !== undefined && nothingRuns(observed);
  if (terminated) {
    // Graceful termination is complete: release the sandbox, then ask for the final delete.
    await removeEverything(observed, deps);
  }
  await deps.statuses.publish(pod, status, terminated);

  const retries = actions.waiting.map((w) => w.retryInMs);
  return retries.length > 0 ? { retryInMs: Math.min(...retries) } : {};
}

/** Syncs a pod the API server no longer has: whatever of it still runs is stopped and removed. */
export async function syncGonePod(uid: string, deps: PodSyncDeps): Promise<SyncResult> {
  const observed = await deps.runtime.call("GetPod", { uid });
  await removeEverything(observed, deps);
  deps.statuses.forget(uid);
  deps.warned.forget(uid);
  return { forget: true };
}

/** Carries out `actions`; returns whether the runtime changed. */
async function execute(
  pod: Pod,
  observed: ObservedPod,
  actions: PodActions,
  waiting: Record<string, WaitingReason>,
  deps: PodSyncDeps,
): Promise<boolean> {
  let changed = false;
  // Kill first, all in parallel: each waits its own grace period (kubelet: killContainersWithSyncResult).
  if (actions.containersToKill.length > 0) {
    await Promise.all(
      actions.containersToKill.map(async (kill) => {
        deps.events.pod(pod, "Normal", "Killing", kill.message, kill.name);
        await deps.runtime.call("StopContainer", { containerId: kill.id, gracePeriodSeconds: kill.gracePeriodSeconds });
      }),
    );
    changed = true;
  }
  if (actions.killPod) {
    for (const sandboxId of actions.sandboxesToStop) await deps.runtime.call("StopSandbox", { sandboxId });
    changed ||= actions.sandboxesToStop.length > 0;
  }
  if (actions.unsupported && deps.warned.first(pod.metadata.uid, actions.unsupported.reason)) {
    deps.events.pod(pod, "Warning", actions.unsupported.reason, actions.unsupported.message);
  }
  const volumes = (pod.spec.volumes ?? []).length;
  if (volumes > 0 && deps.warned.first(pod.metadata.uid, "VolumesNotMounted")) {
    // Until the volume-manager exists, say so where users look instead of pretending.
    deps.events.pod(pod, "Warning", "VolumesNotMounted", `natslet does not mount pod volumes yet: ${volumes} volume(s) of this pod are not mounted`);
  }

  let sandboxId = actions.sandboxId;
  let podIps = observed.sandboxes.find((s) => s.id === sandboxId)?.ip;
  if (actions.createSandbox) {
    const sandbox = await deps.runtime.call("EnsureSandbox", { pod, attempt: actions.sandboxAttempt }).catch((err: unknown) => {
      // Users see this one in `kubectl describe pod` (kubelet: FailedCreatePodSandBox); the pass is retried.
      deps.events.pod(pod, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${errorText(err)}`);
      throw err;
    });
    sandboxId = sandbox.sandboxId;
    podIps = sandbox.ip;
    changed = true;
  }
  if (actions.containersToStart.length === 0 || sandboxId === undefined) return changed;

  // Start in spec order, one at a time (kubelet: SyncPod step 7).
  for (const start of actions.containersToStart) {
    const container = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === start.name);
    if (!container) continue;
    const reason = await startContainer(pod, container.name, container.image, container.imagePullPolicy, {
      attempt: start.attempt,
      sandboxId,
      podIps: podIps ? [podIps] : [],
    }, deps);
    if (reason) waiting[start.name] = reason;
    else changed = true;
  }
  recordRestarts(actions, deps.backoff, deps.clock());
  return changed;
}

/** Ensures the image and starts one container; returns why it waits when it could not. */
async function startContainer(
  pod: Pod,
  name: string,
  image: string,
  pullPolicy: "Always" | "IfNotPresent" | "Never" | undefined,
  at: { attempt: number; sandboxId: string; podIps: string[] },
  deps: PodSyncDeps,
): Promise<WaitingReason | undefined> {
  if (image === "") {
    deps.events.pod(pod, "Warning", "InspectFailed", "Failed to apply default image tag: no image given", name);
    return { reason: "InvalidImageName", message: "no image given" };
  }
  let ensured: RuntimeReply<"EnsureImage">;
  try {
    ensured = await deps.runtime.call("EnsureImage", { image, policy: pullPolicy ?? defaultPullPolicy(image), podUid: pod.metadata.uid });
  } catch (err) {
    const neverPull = hasErrorCode(err, "NotFound");
    const reason = neverPull ? "ErrImageNeverPull" : "ErrImagePull";
    const message = errorText(err).replace(/^(ErrImageNeverPull|ErrImagePull):\s*/, "");
    deps.events.pod(pod, "Warning", neverPull ? "ErrImageNeverPull" : "Failed", message, name);
    return { reason, message };
  }
  deps.events.pod(pod, "Normal", "Pulled", ensured.pulled ? `Successfully pulled image "${image}"` : `Container image "${image}" already present on machine`, name);
  try {
    await deps.runtime.call("EnsureContainer", { pod, name, attempt: at.attempt, sandboxId: at.sandboxId, podIps: at.podIps });
  } catch (err) {
    // The runtime-adapter puts the kubelet's reason in front of errors the pod must show; an
    // error without one (timeout, adapter restarting) is transient: the pass is retried.
    const message = errorText(err);
    const reason = /^(CreateContainerConfigError|CreateContainerError|RunContainerError):/.exec(message)?.[1];
    if (reason === undefined) throw err;
    deps.events.pod(pod, "Warning", "Failed", `Error: ${message}`, name);
    return { reason, message: message.slice(reason.length + 1).trim() };
  }
  deps.events.pod(pod, "Normal", "Started", `Started container ${name}`, name);
  return undefined;
}

/** The kubelet's default: Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  if (image.includes("@")) return "IfNotPresent";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "";
  return tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
}

function nothingRuns(observed: ObservedPod): boolean {
  return (
    observed.containers.every((c) => c.state === "exited" || c.state === "created") &&
    observed.sandboxes.every((s) => s.state === "notready")
  );
}

/** Stops and removes every sandbox of the pod (with its containers). */
async function removeEverything(observed: ObservedPod, deps: PodSyncDeps): Promise<void> {
  await Promise.all(
    observed.containers
      .filter((c) => c.state === "running")
      .map((c) => deps.runtime.call("StopContainer", { containerId: c.id, gracePeriodSeconds: 2 })),
  );
  for (const sandbox of observed.sandboxes) {
    // A sandbox the kill already stopped needs no second StopPodSandbox (RemovePodSandbox of a
    // stopped sandbox is enough); the benchmark counted 200 stops for 100 deleted pods.
    if (sandbox.state === "ready") await deps.runtime.call("StopSandbox", { sandboxId: sandbox.id });
    await deps.runtime.call("RemoveSandbox", { sandboxId: sandbox.id });
  }
  // Containers whose sandbox is already gone (the runtime removes the rest with their sandbox).
  const sandboxIds = new Set(observed.sandboxes.map((s) => s.id));
  for (const c of observed.containers.filter((c) => !sandboxIds.has(c.sandboxId))) {
    await deps.runtime.call("RemoveContainer", { containerId: c.id });
  }
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // Drop the subject prefix request() adds: users read these in kubectl describe.
  return text.replace(/^natslet\.\S+: /, "");
}

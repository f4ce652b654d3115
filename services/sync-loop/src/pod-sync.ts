// One pass of a pod worker (kubelet: SyncPod / SyncTerminatingPod): observe, decide with
// @natslet/core, act through the runtime-adapter, report the status. Errors of single steps
// become waiting reasons and Events; the next pass retries.
import { type EventPublisher, type Runtime } from "@natslet/bus";
import type { CriMountMessage, ObservedPod, Pod } from "@natslet/contracts";
import {
  computePodActions, computePodStatus, podGarbage, previousStatusOf, recordRestarts, type CrashLoopBackoff, type PodActions, type WaitingReason,
} from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import { ImageEnsures, type ImageClient } from "./image-client.js";
import type { StartupSli } from "./startup-sli.js";
import type { StatusPublisher } from "./publishers.js";
import { podNeedsVolumes, type VolumeClient } from "./volume-client.js";

export interface PodSyncDeps {
  runtime: Runtime;
  volumes: VolumeClient;
  images: ImageClient;
  statuses: StatusPublisher;
  events: EventPublisher;
  backoff: CrashLoopBackoff;
  /** Warnings already recorded per pod: an admission-like warning is an Event once, not every resync. */
  warned: WarnedPods;
  /** The pod start SLI: fed with each pass's pulls and status. */
  startup: StartupSli;
  /** Pods a manager asked to evict, with the message (uid → message): stopped for good. */
  evictions: Map<string, string>;
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
  deps.startup.seen(pod);
  let observed = await deps.runtime.call("GetPod", { uid });
  const now = deps.clock();
  const evicted = deps.evictions.get(uid);
  if (evicted !== undefined && deps.warned.first(uid, "Evicted")) deps.events.pod(pod.metadata, "Warning", "Evicted", evicted);
  const actions = computePodActions(pod, observed, { now, backoff: deps.backoff, evicted: evicted !== undefined });
  const waiting: Record<string, WaitingReason> = {};
  for (const w of actions.waiting) waiting[w.name] = { reason: w.reason, message: w.message };

  // Image requests go out before the sandbox is created, so pulls overlap it (see execute).
  const images = new ImageEnsures(deps.images, pod, actions.containersToStart.map((s) => s.name), (start, end) =>
    deps.startup.pulled(uid, start, end),
  );
  const volumeRetry: number[] = [];
  const changed = await execute(pod, observed, actions, waiting, deps, volumeRetry, images);
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
    ...(evicted !== undefined ? { evicted } : {}),
  });
  deps.startup.status(uid, status, deps.clock());
  const terminated = pod.metadata.deletionTimestamp !== undefined && nothingRuns(observed);
  if (terminated) {
    // Graceful termination is complete: release the sandbox, then ask for the final delete.
    await removeEverything(observed, deps);
  }
  await deps.statuses.publish(pod, status, terminated);
  if (!terminated) await collectGarbage(pod, observed, deps);

  const retries = [...actions.waiting.map((w) => w.retryInMs), ...volumeRetry, ...images.retries()];
  return retries.length > 0 ? { retryInMs: Math.min(...retries) } : {};
}

/** Syncs a pod the API server no longer has: whatever of it still runs is stopped and removed. */
export async function syncGonePod(uid: string, deps: PodSyncDeps): Promise<SyncResult> {
  const observed = await deps.runtime.call("GetPod", { uid });
  await removeEverything(observed, deps);
  forgetPodState(uid, deps);
  return { forget: true };
}

/** Drops what this process remembers of a pod between passes (gone, or now another replica's). */
export function forgetPodState(uid: string, deps: PodSyncDeps): void {
  deps.statuses.forget(uid);
  deps.warned.forget(uid);
  deps.startup.forget(uid);
  deps.evictions.delete(uid);
}

/** Carries out `actions`; returns whether the runtime changed. */
async function execute(
  pod: Pod,
  observed: ObservedPod,
  actions: PodActions,
  waiting: Record<string, WaitingReason>,
  deps: PodSyncDeps,
  /** Filled with a retry delay when the pod waits for its volumes. */
  volumeRetry: number[],
  images: ImageEnsures,
): Promise<boolean> {
  let changed = false;
  // Kill first, all in parallel: each waits its own grace period (kubelet: killContainersWithSyncResult).
  if (actions.containersToKill.length > 0) {
    await Promise.all(
      actions.containersToKill.map(async (kill) => {
        deps.events.pod(pod.metadata, "Normal", "Killing", kill.message, kill.name);
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
    deps.events.pod(pod.metadata, "Warning", actions.unsupported.reason, actions.unsupported.message);
  }

  // Volumes before the sandbox and containers (kubelet: WaitForAttachAndMount). The
  // volume-manager records the FailedMount Event; the containers wait in ContainerCreating.
  // A new sandbox: the volumes only now; the containers' mounts once it exists (below), since a
  // subPathExpr may use the pod IP, which only the sandbox has.
  const needsVolumes = pod.metadata.deletionTimestamp === undefined && podNeedsVolumes(pod);
  if (needsVolumes && actions.createSandbox) {
    if ((await setupVolumes(pod, [], [], actions, waiting, deps, volumeRetry)) === undefined) return changed;
  }

  // Images now, without waiting: the pulls overlap sandbox creation (the image-manager began
  // pulling missing images when it saw the pod, so they overlapped volume setup too).
  images.start();
  let sandboxId = actions.sandboxId;
  let podIps = observed.sandboxes.find((s) => s.id === sandboxId)?.ip;
  if (actions.createSandbox) {
    const sandbox = await deps.runtime.call("EnsureSandbox", { pod, attempt: actions.sandboxAttempt }).catch((err: unknown) => {
      // Users see this one in `kubectl describe pod` (kubelet: FailedCreatePodSandBox); the pass is retried.
      deps.events.pod(pod.metadata, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${errorText(err)}`);
      throw err;
    });
    sandboxId = sandbox.sandboxId;
    podIps = sandbox.ip;
    changed = true;
  }
  if (actions.containersToStart.length === 0 || sandboxId === undefined) return changed;
  let mounts: Record<string, CriMountMessage[]> = {};
  if (needsVolumes) {
    const ready = await setupVolumes(pod, podIps ? [podIps] : [], actions.containersToStart.map((s) => s.name), actions, waiting, deps, volumeRetry);
    if (ready === undefined) return changed;
    mounts = ready;
  }

  // Start in spec order, one at a time (kubelet: SyncPod step 7).
  for (const start of actions.containersToStart) {
    const reason = await startContainer(pod, start.name, images, {
      mounts: mounts[start.name] ?? [],
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

/**
 * Asks the volume-manager for the volumes and the mounts of `containers`; undefined when the pod
 * must wait (a retry delay is pushed). No answer (volume-manager restarting, a timeout, an
 * internal error) is waiting too, not a failed pass: the other pods' work goes on.
 */
async function setupVolumes(
  pod: Pod,
  podIps: string[],
  containers: string[],
  actions: PodActions,
  waiting: Record<string, WaitingReason>,
  deps: PodSyncDeps,
  volumeRetry: number[],
): Promise<Record<string, CriMountMessage[]> | undefined> {
  let volumes;
  try {
    volumes = await deps.volumes.setup(pod, podIps, containers);
  } catch (err) {
    deps.log.warn({ err, pod_uid: pod.metadata.uid }, "volume setup got no answer; the pod waits and is retried");
    volumeRetry.push(2_000);
    return undefined;
  }
  if (volumes.kind === "failed") {
    if (!volumes.retryable && volumes.reason !== "FailedMount") {
      // A mount the container can never get as specified (bad subPath): the kubelet's config error.
      for (const start of actions.containersToStart) waiting[start.name] = { reason: "CreateContainerConfigError", message: volumes.message };
    }
    volumeRetry.push(volumes.retryable ? 2_000 : 10_000);
    return undefined;
  }
  return volumes.mounts;
}

/** Ensures the image and starts one container; returns why it waits when it could not. */
async function startContainer(
  pod: Pod,
  name: string,
  images: ImageEnsures,
  at: { mounts: CriMountMessage[]; attempt: number; sandboxId: string; podIps: string[] },
  deps: PodSyncDeps,
): Promise<WaitingReason | undefined> {
  // The image-manager applied the pull policy and recorded the image Events.
  const imageWaiting = await images.wait(name);
  if (imageWaiting) return imageWaiting;
  try {
    await deps.runtime.call("EnsureContainer", { pod, name, attempt: at.attempt, sandboxId: at.sandboxId, podIps: at.podIps, mounts: at.mounts });
  } catch (err) {
    // The runtime-adapter puts the kubelet's reason in front of errors the pod must show; an
    // error without one (timeout, adapter restarting) is transient: the pass is retried.
    const message = errorText(err);
    const reason = /^(CreateContainerConfigError|CreateContainerError|RunContainerError):/.exec(message)?.[1];
    if (reason === undefined) throw err;
    deps.events.pod(pod.metadata, "Warning", "Failed", `Error: ${message}`, name);
    return { reason, message: message.slice(reason.length + 1).trim() };
  }
  deps.events.pod(pod.metadata, "Normal", "Started", `Started container ${name}`, name);
  return undefined;
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

/**
 * Removes dead containers and orphaned sandboxes the pod no longer needs (kubelet: container GC),
 * after its status is out: garbage never delays a start. A failure waits for the next pass.
 */
async function collectGarbage(pod: Pod, observed: ObservedPod, deps: PodSyncDeps): Promise<void> {
  const garbage = podGarbage(observed);
  try {
    for (const c of garbage.containers) await deps.runtime.call("RemoveContainer", { containerId: c.id });
    for (const s of garbage.sandboxes) await deps.runtime.call("RemoveSandbox", { sandboxId: s.id });
  } catch (err) {
    deps.log.warn({ err, pod_uid: pod.metadata.uid }, "removing the pod's dead containers or old sandboxes failed; next pass retries");
  }
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // Drop the subject prefix request() adds: users read these in kubectl describe.
  return text.replace(/^natslet\.\S+: /, "");
}

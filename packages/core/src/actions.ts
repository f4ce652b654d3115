// Decide first, act second: from the desired pod and what the runtime shows, what must be
// killed, created and started. Pure — the sync-loop executes the result.
// kubelet: kuberuntime (*kubeGenericRuntimeManager).computePodActions.
import type { Container, ObservedContainer, ObservedPod, Pod } from "@natslet/contracts";
import type { ContainerToStart, KillReason, PodActions, StartReason } from "./actions-types.js";
import { unsupportedFeatures } from "./admit.js";
import { backoffKey, type BackoffReader } from "./backoff.js";
import { formatPod } from "./format.js";
import { containerSpecHash } from "./hash.js";
import { findNextInitContainerToRun } from "./init-containers.js";
import { isLive, latestContainer, latestContainerIn } from "./observed-index.js";
import { containerSucceeded, restartPolicyOf, shouldContainerBeRestarted, shouldRestartOnFailure } from "./restart-policy.js";
import { podSandboxChanged } from "./sandbox-changed.js";
import { goDuration } from "./time.js";

export interface ActionsContext {
  /** Epoch ms of this sync (for the back-off). */
  now: number;
  /** Crash-loop back-off state; without it restarts are never delayed. */
  backoff?: BackoffReader;
  /** A manager asked to evict the pod (kubelet: eviction manager's killPodFunc): it stops for good. */
  evicted?: boolean;
}

/** kubelet: minimumGracePeriodInSeconds — even a 0 grace gives SIGTERM a moment. */
const MIN_GRACE_SECONDS = 2;
const DEFAULT_GRACE_SECONDS = 30;

/**
 * In order:
 * 1. Deleted pod: kill everything, start nothing.
 * 2. Evicted, or terminal in the API (Failed/Succeeded: evicted or refused before, also by an
 *    earlier process), or unsupported: stop anything of it that runs, never start it again.
 * 3. Sandbox must change: kill everything, create a sandbox, start over (first init container,
 *    or every regular container that should run) — unless restartPolicy Never and containers
 *    already ran, or nothing would run in it: then the pod is finished.
 * 4. Init containers not done: run the next one (or fail the pod under Never).
 * 5. Regular containers: start missing ones, restart exited ones by restart policy (subject to
 *    back-off), restart running ones whose spec hash changed; kill unknown names.
 *    Nothing running and nothing to start: the pod is finished.
 */
export function computePodActions(pod: Pod, observed: ObservedPod, ctx: ActionsContext): PodActions {
  const plan = new Plan(pod, observed, ctx);
  const sandbox = podSandboxChanged(pod, observed);
  plan.actions.sandboxAttempt = sandbox.attempt;
  if (sandbox.sandbox) plan.actions.sandboxId = sandbox.sandbox.id;

  if (pod.metadata.deletionTimestamp !== undefined) return plan.finish("pod deleted");
  if (ctx.evicted) return plan.finish("pod evicted");
  // kubelet: a pod whose API status is terminal is never started again (pod_workers: terminal
  // phase → finished); this is what keeps an evicted pod down after a restart of ours.
  const phase = (pod.status as { phase?: unknown } | undefined)?.phase;
  if (phase === "Failed" || phase === "Succeeded") return plan.finish("pod finished");

  const unsupported = unsupportedFeatures(pod);
  if (unsupported) {
    plan.actions.unsupported = unsupported;
    return plan.finish("pod finished");
  }

  if (sandbox.changed) return recreateSandbox(plan);

  const sandboxId = sandbox.sandbox?.id ?? "";
  plan.killUnknownNames();

  const init = findNextInitContainerToRun(pod, (name) => latestContainerIn(observed, name, sandboxId));
  if (!init.done) {
    if (init.next === undefined) return plan.actions; // one is running: wait for it
    if (init.failed && !shouldRestartOnFailure(pod)) return plan.finish("pod finished");
    if (init.failed?.state === "unknown") plan.kill(init.failed, "unknown state");
    plan.start(init.next, true, startReason(init.failed ?? latestContainer(observed, init.next.name)));
    return plan.actions;
  }

  let keep = 0;
  for (const container of pod.spec.containers) {
    const latest = latestContainer(observed, container.name);
    if (latest?.state === "running" && latest.sandboxId !== sandboxId) {
      // Left behind in a sandbox that is gone: it cannot share the pod's network any more.
      plan.kill(latest, "sandbox changed");
      plan.start(container, false, "sandbox changed");
    } else if (latest?.state !== "running") {
      if (!shouldContainerBeRestarted(pod, latest)) continue;
      if (latest?.state === "unknown") plan.kill(latest, "unknown state");
      plan.start(container, false, startReason(latest));
    } else if (latest.specHash !== containerSpecHash(container)) {
      // Restart regardless of restart policy: the spec asks for a different container.
      plan.kill(latest, "spec changed");
      plan.start(container, false, "spec changed");
    } else {
      keep++;
    }
  }
  if (keep === 0 && plan.actions.containersToStart.length === 0 && plan.actions.waiting.length === 0) {
    return plan.finish("pod finished");
  }
  return plan.actions;
}

/** Step 3: the sandbox is gone, not ready, or wrong. */
function recreateSandbox(plan: Plan): PodActions {
  const { pod, observed } = plan;
  // A Never pod whose containers ran must not run them again in a new sandbox.
  // (Without any container it never really started: retry the sandbox.)
  if (!shouldRestartOnFailure(pod) && plan.actions.sandboxAttempt !== 0 && observed.containers.length > 0) {
    return plan.finish("sandbox changed");
  }
  const regular = pod.spec.containers.filter(
    (c) => !(restartPolicyOf(pod) === "OnFailure" && containerSucceeded(latestContainer(observed, c.name))),
  );
  const initialized = findNextInitContainerToRun(pod, (name) => latestContainer(observed, name)).done;
  if (regular.length === 0 && initialized) return plan.finish("sandbox changed");

  // The kubelet sets KillPod for a brand-new pod too, where it is a no-op; here killPod means
  // there is an old sandbox (or containers) to get rid of.
  if (observed.sandboxes.length > 0 || observed.containers.some(isLive)) plan.killPod("sandbox changed");
  plan.actions.createSandbox = true;
  const firstInit = pod.spec.initContainers?.[0];
  // Everything starts over in the new sandbox, init containers first.
  if (firstInit) plan.start(firstInit, true, reasonInNewSandbox(latestContainer(observed, firstInit.name)));
  else for (const c of regular) plan.start(c, false, reasonInNewSandbox(latestContainer(observed, c.name)));
  return plan.actions;
}

function startReason(latest: ObservedContainer | undefined): StartReason {
  if (latest === undefined) return "new";
  switch (latest.state) {
    case "created":
      return "not started";
    case "unknown":
      return "unknown state";
    case "exited":
    case "running":
      return "exited";
  }
}

function reasonInNewSandbox(latest: ObservedContainer | undefined): StartReason {
  return latest === undefined ? "new" : latest.state === "exited" ? "exited" : "sandbox changed";
}

/** The actions under construction, with the bookkeeping every step shares. */
class Plan {
  readonly actions: PodActions = {
    killPod: false,
    createSandbox: false,
    sandboxAttempt: 0,
    sandboxesToStop: [],
    containersToStart: [],
    containersToKill: [],
    waiting: [],
  };

  constructor(
    readonly pod: Pod,
    readonly observed: ObservedPod,
    readonly ctx: ActionsContext,
  ) {}

  /** The pod is over: stop whatever still runs, start nothing, mark it done. */
  finish(reason: KillReason): PodActions {
    this.killPod(reason);
    this.actions.containersToStart = [];
    this.actions.waiting = [];
    this.actions.podDone = true;
    return this.actions;
  }

  /** Stop every live container and every ready sandbox. */
  killPod(reason: KillReason): void {
    this.actions.killPod = true;
    this.actions.sandboxesToStop = this.observed.sandboxes.filter((s) => s.state === "ready").map((s) => s.id);
    for (const c of this.observed.containers) if (isLive(c)) this.kill(c, reason);
  }

  kill(c: ObservedContainer, reason: KillReason): void {
    if (this.actions.containersToKill.some((k) => k.id === c.id)) return;
    this.actions.containersToKill.push({
      id: c.id,
      name: c.name,
      reason,
      message: killMessage(c.name, reason),
      gracePeriodSeconds: gracePeriodSeconds(this.pod, reason),
    });
  }

  /** Containers the runtime runs for this pod under names the spec does not have. */
  killUnknownNames(): void {
    const names = new Set([...this.pod.spec.containers, ...(this.pod.spec.initContainers ?? [])].map((c) => c.name));
    for (const c of this.observed.containers) if (isLive(c) && !names.has(c.name)) this.kill(c, "not in spec");
  }

  /** Start `container` as its next attempt, unless its last exit is still in back-off. */
  start(container: Container, init: boolean, reason: StartReason): void {
    const latest = latestContainer(this.observed, container.name);
    // A created-but-never-started container is finished, not replaced: a retried start of the
    // same attempt finds it (idempotent by pod UID + name + attempt). Anything else: next attempt.
    const attempt = latest === undefined ? 0 : reason === "not started" ? latest.attempt : latest.attempt + 1;
    const start: ContainerToStart = { name: container.name, attempt, init, reason };
    if (latest?.state === "exited") {
      const key = backoffKey(this.pod.metadata.uid, container.name);
      const finishedAt = latest.finishedAt ?? latest.createdAt;
      const retryInMs = this.ctx.backoff?.remaining(key, this.ctx.now, finishedAt) ?? 0;
      if (retryInMs > 0) {
        const period = goDuration(this.ctx.backoff?.get(key) ?? 0);
        this.actions.waiting.push({
          name: container.name,
          reason: "CrashLoopBackOff",
          message: `back-off ${period} restarting failed container=${container.name} pod=${formatPod(this.pod)}`,
          retryInMs,
        });
        return;
      }
      start.backoff = { key, finishedAt };
    }
    this.actions.containersToStart.push(start);
  }
}

function killMessage(name: string, reason: KillReason): string {
  switch (reason) {
    case "pod deleted":
    case "pod finished":
    case "pod evicted":
      return `Stopping container ${name}`;
    case "sandbox changed":
      return `Pod sandbox changed, container ${name} will be killed`;
    case "spec changed":
      return `Container ${name} definition changed, will be restarted`;
    case "not in spec":
      return `Container ${name} is not in the pod spec`;
    case "unknown state":
      return `Container ${name} is in "unknown" state, try killing it before restart`;
  }
}

/**
 * The deletion grace period while deleting, none for an eviction (kubelet: local storage
 * evictions pass gracePeriodOverride 0), else the pod's termination grace period; at least 2 s.
 */
function gracePeriodSeconds(pod: Pod, reason: KillReason): number {
  if (reason === "pod evicted") return MIN_GRACE_SECONDS;
  const termination = pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  const grace = reason === "pod deleted" ? (pod.metadata.deletionGracePeriodSeconds ?? termination) : termination;
  return Math.max(grace, MIN_GRACE_SECONDS);
}

// The pod conditions the kubelet owns. kubelet: pkg/kubelet/status generate.go
// (GeneratePodReadyToStartContainersCondition, GeneratePodInitializedCondition,
// GenerateContainersReadyCondition, GeneratePodReadyCondition) and the status manager's
// updateLastTransitionTime.
import type { Pod } from "@natslet/contracts";
import type { ConditionStatus, ContainerStatus, PodCondition, PodConditionType, PodPhase, PreviousPodStatus } from "./pod-status-types.js";
import { rfc3339 } from "./time.js";

/** The condition without its transition time, which depends on the previous status. */
type Draft = { type: PodConditionType; status: ConditionStatus; reason?: string; message?: string };

export interface ConditionInputs {
  phase: PodPhase;
  initStatuses: readonly ContainerStatus[];
  statuses: readonly ContainerStatus[];
  /** The sandbox is ready with its network, so containers can start in it. */
  sandboxReady: boolean;
}

/** Kubelet-owned conditions in the kubelet's order, then other owners' conditions carried over. */
export function podConditions(pod: Pod, inputs: ConditionInputs, previous: PreviousPodStatus | undefined, now: number): PodCondition[] {
  const containersReady = containersReadyCondition(pod, inputs);
  const drafts: Draft[] = [
    { type: "PodReadyToStartContainers", status: inputs.sandboxReady ? "True" : "False" },
    initializedCondition(pod, inputs),
    { ...containersReady, type: "Ready" }, // no readiness gates: Ready mirrors ContainersReady
    containersReady,
    { type: "PodScheduled", status: "True" }, // the pod is bound to this node
  ];
  const owned = new Set<string>(drafts.map((d) => d.type));
  const prev = previous?.conditions ?? [];
  const conditions = drafts.map((d): PodCondition => {
    const old = prev.find((c) => c.type === d.type);
    // Keep the time of the last real transition: an unchanged status is no transition.
    const lastTransitionTime = old?.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
    return { ...d, lastProbeTime: null, lastTransitionTime };
  });
  for (const c of prev) {
    if (owned.has(c.type) || !isConditionStatus(c.status)) continue;
    conditions.push({
      type: c.type,
      status: c.status,
      lastProbeTime: null,
      lastTransitionTime: c.lastTransitionTime ?? rfc3339(now),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    });
  }
  return conditions;
}

function initializedCondition(pod: Pod, { phase, initStatuses, statuses }: ConditionInputs): Draft {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const init of pod.spec.initContainers ?? []) {
    const s = initStatuses.find((c) => c.name === init.name);
    if (s === undefined) unknown.push(init.name);
    else if (s.state.terminated?.exitCode !== 0) incomplete.push(init.name);
  }
  if (phase === "Succeeded" && unknown.length === 0) return { type: "Initialized", status: "True", reason: "PodCompleted" };
  // A regular container that has run means initialization completed once.
  if (pod.spec.containers.some((c) => hasStarted(statuses.find((s) => s.name === c.name)))) {
    return { type: "Initialized", status: "True" };
  }
  const message = notReadyMessage(unknown, "incomplete", incomplete);
  return message ? { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message } : { type: "Initialized", status: "True" };
}

function containersReadyCondition(pod: Pod, { phase, statuses }: ConditionInputs): Draft {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (s === undefined) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if ((phase === "Succeeded" && unknown.length === 0) || phase === "Failed") {
    return { type: "ContainersReady", status: "False", reason: phase === "Failed" ? "PodFailed" : "PodCompleted" };
  }
  const message = notReadyMessage(unknown, "unready", unready);
  return message ? { type: "ContainersReady", status: "False", reason: "ContainersNotReady", message } : { type: "ContainersReady", status: "True" };
}

/** "containers with unknown status: [a], containers with unready status: [b c]" (Go's %s of a []string). */
function notReadyMessage(unknown: string[], what: "incomplete" | "unready", names: string[]): string {
  const parts: string[] = [];
  if (unknown.length > 0) parts.push(`containers with unknown status: [${unknown.join(" ")}]`);
  if (names.length > 0) parts.push(`containers with ${what} status: [${names.join(" ")}]`);
  return parts.join(", ");
}

/** kubelet: HasAnyRegularContainerStarted — its status is running or terminated. */
function hasStarted(s: ContainerStatus | undefined): boolean {
  return s !== undefined && (s.state.running !== undefined || s.state.terminated !== undefined);
}

function isConditionStatus(s: string): s is ConditionStatus {
  return s === "True" || s === "False" || s === "Unknown";
}

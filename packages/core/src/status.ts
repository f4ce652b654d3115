// The PodStatus the node reports for a pod, from its spec and what the runtime shows.
// kubelet: (*Kubelet).generateAPIPodStatus / convertStatusToAPIStatus, plus the status manager's
// rules for what is carried over (startTime, lastTransitionTime, terminal phase).
import type { ObservedPod, Pod } from "@natslet/contracts";
import { type Unsupported } from "./admit.js";
import { podConditions } from "./conditions.js";
import { containerStatuses, type WaitingReason } from "./container-statuses.js";
import { isLive, sandboxesNewestFirst } from "./observed-index.js";
import { podPhase } from "./phase.js";
import type { IpEntry, PodCondition, PodStatus, PreviousPodStatus } from "./pod-status-types.js";
import { previousStatusOf } from "./previous-status.js";
import { qosClass } from "./qos.js";
import { podSandboxChanged } from "./sandbox-changed.js";
import { rfc3339 } from "./time.js";

export interface StatusContext {
  /** Epoch ms: the time of any transition seen now. */
  now: number;
  hostIp: string;
  /** All node IPs, primary first; default [hostIp]. */
  hostIps?: readonly string[];
  /** Prefix of containerID ("containerd://..."); default "containerd". */
  runtimeName?: string;
  /** Why containers that should run do not (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError...). */
  waiting?: Readonly<Record<string, WaitingReason>>;
  /** The status reported before; default: read from pod.status. */
  previous?: PreviousPodStatus;
  /** The pod was refused (see PodActions.unsupported): it fails with this reason. */
  rejected?: Unsupported;
  /**
   * The pod is being evicted with this message: it fails with reason Evicted and a
   * DisruptionTarget condition (kubelet: eviction manager's evictPod).
   */
  evicted?: string;
}

/** Computes the full status; it is a pure function of its inputs, so equal inputs give equal JSON. */
export function computePodStatus(pod: Pod, observed: ObservedPod, ctx: StatusContext): PodStatus {
  const stored = previousStatusOf(pod.status);
  const previous = ctx.previous ?? stored;
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  const common = {
    runtimeName: ctx.runtimeName ?? "containerd",
    defaultWaitingReason: hasInit ? ("PodInitializing" as const) : ("ContainerCreating" as const),
    terminating,
    waiting: ctx.waiting,
  };
  const initStatuses = containerStatuses(pod, observed, pod.spec.initContainers ?? [], {
    ...common,
    init: true,
    previous: previous.initContainerStatuses,
  });
  const statuses = containerStatuses(pod, observed, pod.spec.containers, {
    ...common,
    init: false,
    previous: previous.containerStatuses,
  });

  // Terminal: deleted and nothing runs any more; the restart policy no longer matters.
  const podIsTerminal = terminating && !observed.containers.some(isLive);
  const failure = ctx.rejected ?? (ctx.evicted !== undefined ? { reason: "Evicted", message: ctx.evicted } : undefined);
  let phase = failure ? "Failed" : podPhase(pod, initStatuses, statuses, podIsTerminal);
  // A pod never leaves a terminal phase (the API server would refuse it anyway), and keeps
  // saying why it got there (an eviction read back after a restart, say).
  const keptTerminal = (previous.phase === "Succeeded" || previous.phase === "Failed") && previous.phase;
  if (keptTerminal) phase = keptTerminal;
  const why = failure ?? (keptTerminal && previous.reason ? { reason: previous.reason, message: previous.message ?? "" } : undefined);

  const sandboxReady = !podSandboxChanged(pod, observed).changed;
  const hostIps = (ctx.hostIps ?? [ctx.hostIp]).map((ip) => ({ ip }));
  const podIps = podIpsOf(pod, observed, hostIps, previous);

  const status: PodStatus = {
    phase,
    conditions: withDisruption(podConditions(pod, { phase, initStatuses, statuses, sandboxReady }, previous, ctx.now), ctx),
    ...(why ? { reason: why.reason, message: why.message } : {}),
    hostIP: hostIps[0]?.ip ?? ctx.hostIp,
    hostIPs: hostIps,
    ...(podIps.length > 0 ? { podIP: podIps[0]?.ip ?? "", podIPs: podIps } : {}),
    // Set once, when the node first accepted the pod, and never moved.
    startTime: previous.startTime ?? stored.startTime ?? rfc3339(ctx.now),
    ...(hasInit ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: qosClass(pod),
  };
  return status;
}

/** An eviction adds DisruptionTarget (once there, later passes carry it over as another owner's would be). */
function withDisruption(conditions: PodCondition[], ctx: StatusContext): PodCondition[] {
  if (ctx.evicted === undefined || conditions.some((c) => c.type === "DisruptionTarget")) return conditions;
  return [
    ...conditions,
    {
      type: "DisruptionTarget",
      status: "True",
      lastProbeTime: null,
      lastTransitionTime: rfc3339(ctx.now),
      reason: "TerminationByKubelet",
      message: ctx.evicted,
    },
  ];
}

/**
 * The pod's IPs: the node's for a host-network pod, else the newest ready sandbox's, else the
 * ones reported before — a finished pod keeps showing the IP it had.
 */
function podIpsOf(pod: Pod, observed: ObservedPod, hostIps: IpEntry[], previous: PreviousPodStatus): IpEntry[] {
  if (pod.spec.hostNetwork === true) return hostIps;
  const newest = sandboxesNewestFirst(observed)[0];
  if (newest?.state === "ready" && newest.ip) {
    return [newest.ip, ...(newest.additionalIps ?? [])].map((ip) => ({ ip }));
  }
  if (previous.podIPs && previous.podIPs.length > 0) return [...previous.podIPs];
  return previous.podIP ? [{ ip: previous.podIP }] : [];
}

// The core/v1 PodStatus JSON natslet writes, as plain objects (field names as in the API).
// Timestamps are RFC 3339 strings with second precision, as the API server stores them.

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
export type ConditionStatus = "True" | "False" | "Unknown";
export type PodConditionType = "PodScheduled" | "PodReadyToStartContainers" | "Initialized" | "ContainersReady" | "Ready";

/** core/v1 PodCondition. `type` stays a string: conditions of other owners pass through. */
export interface PodCondition {
  type: string;
  status: ConditionStatus;
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

/** core/v1 ContainerStateRunning / Terminated / Waiting. */
export interface ContainerStateRunning {
  startedAt: string;
}
export interface ContainerStateTerminated {
  exitCode: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}
export interface ContainerStateWaiting {
  reason?: string;
  message?: string;
}
/** At most one member is set; `{}` is "no state" (an empty lastState). */
export interface ContainerState {
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
  waiting?: ContainerStateWaiting;
}

/** core/v1 ContainerStatus. */
export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

/** core/v1 PodIP / HostIP. */
export interface IpEntry {
  ip: string;
}

/** core/v1 PodStatus (the fields the kubelet owns). */
export interface PodStatus {
  phase: PodPhase;
  conditions: PodCondition[];
  reason?: string;
  message?: string;
  hostIP?: string;
  hostIPs?: IpEntry[];
  podIP?: string;
  podIPs?: IpEntry[];
  startTime?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses: ContainerStatus[];
  qosClass: "Guaranteed" | "Burstable" | "BestEffort";
}

/** What computePodStatus carries over from the status reported before; any part may be missing. */
export interface PreviousPodStatus {
  phase?: PodPhase;
  /** Why the pod is in its phase (e.g. Evicted): kept while a terminal phase is kept. */
  reason?: string;
  message?: string;
  conditions?: readonly { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }[];
  podIP?: string;
  podIPs?: readonly IpEntry[];
  startTime?: string;
  initContainerStatuses?: readonly ContainerStatus[];
  containerStatuses?: readonly ContainerStatus[];
}

// @natslet/core: the kubelet's decision logic, pure. Given a pod and what the runtime shows,
// what to do (computePodActions) and what to report (computePodStatus), plus the CRI configs,
// environment, resources and back-off those decisions need. No I/O: time comes in as `now`.
export { computePodActions, type ActionsContext } from "./actions.js";
export type {
  ContainerToKill, ContainerToStart, ContainerWaiting, KillReason, PodActions, StartReason,
} from "./actions-types.js";
export { unsupportedFeatures, type Unsupported } from "./admit.js";
export {
  activeBackoff, backoffKey, CRASH_LOOP_BACKOFF, CrashLoopBackoff, nextBackoffPeriod, recordRestarts, type BackoffPolicy,
  type BackoffReader, type BackoffState,
} from "./backoff.js";
export { containerConfig, containerLogPath, type ContainerConfigOptions } from "./container-config.js";
export type { WaitingReason } from "./container-statuses.js";
export type {
  CriContainerConfig, CriDnsConfig, CriKeyValue, CriLinuxContainerResources, CriMount, CriMountPropagation,
  CriNamespaceMode, CriNamespaceOption, CriPodSandboxConfig, CriPortMapping, CriProtocol, CriSecurityProfile,
} from "./cri-types.js";
export { DownwardApiError, fieldRefValue, resourceFieldRefValue, type DownwardContext } from "./downward-api.js";
export {
  envReferences, expandCommand, resolveEnv, type EnvContext, type EnvReference, type EnvResult, type FetchedObjects,
} from "./env.js";
export { expand, mappingFor } from "./expansion.js";
export { formatPod } from "./format.js";
export { containerSpecHash } from "./hash.js";
export { findNextInitContainerToRun, isInitContainerFailed, type InitProgress } from "./init-containers.js";
export {
  containerAnnotations, containerLabels, keys as labelKeys, MANAGED_VALUE, sandboxAnnotations, sandboxLabels,
} from "./labels.js";
export { namespaceOptions } from "./namespaces.js";
export type {
  ConditionStatus, ContainerState, ContainerStatus, IpEntry, PodCondition, PodConditionType, PodPhase, PodStatus,
  PreviousPodStatus,
} from "./pod-status-types.js";
export { previousStatusOf } from "./previous-status.js";
export { qosClass, type QosClass } from "./qos.js";
export {
  addQuantities, compareQuantities, formatBytes, formatMillicores, milliValue, parseBytes, parseCpuMillis, parseQuantity,
  QuantityError, value,
  type Quantity,
} from "./quantity.js";
export {
  linuxContainerResources, milliCpuToQuota, milliCpuToShares, oomScoreAdj, type LinuxResourcesOptions,
} from "./resources.js";
export { shouldContainerBeRestarted, shouldRestartOnFailure, type RestartPolicy } from "./restart-policy.js";
export {
  DEFAULT_POD_LOGS_ROOT, podHostname, podLogDirectory, portMappings, sandboxConfig, type SandboxConfigOptions,
} from "./sandbox-config.js";
export { podSandboxChanged, type SandboxChangeReason, type SandboxDecision } from "./sandbox-changed.js";
export { computePodStatus, type StatusContext } from "./status.js";
export { goDuration, parseRfc3339, rfc3339 } from "./time.js";
export { KeyedWorker, type KeyedWorkerOptions } from "./keyed-worker.js";
export { desiredPodChanged } from "./pod-changed.js";
export { PodStartupTracker, type PodStartDurations } from "./pod-startup.js";
export { KeyedLock } from "./keyed-lock.js";
export { podGarbage, type PodGarbage } from "./garbage.js";
export { rotatedLogNames, rotatedLogSuffix } from "./rotated-logs.js";
export { containersNamed } from "./observed-index.js";

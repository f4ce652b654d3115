// A container's cgroup settings as the CRI takes them. kubelet: kuberuntime
// generateLinuxContainerResources / calculateLinuxResources (kuberuntime_container_linux.go),
// cm.MilliCPUToShares, milliCPUToQuota, and qos.GetContainerOOMScoreAdjust (qos/policy.go).
import type { Container, Pod } from "@natslet/contracts";
import { containerResources } from "./container-resources.js";
import type { CriLinuxContainerResources } from "./cri-types.js";
import { milliValue, value } from "./quantity.js";
import { qosClass } from "./qos.js";

/** cm.MinShares: the kernel's floor for cpu.shares; 0 would mean "unset" = 1024 to the runtime. */
export const MIN_SHARES = 2;
export const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
/** The CFS period (100 ms in µs), the kubelet default of --cpu-cfs-quota-period. */
export const QUOTA_PERIOD_US = 100_000;
/** A quota below 1 ms is rejected by the kernel. */
export const MIN_QUOTA_US = 1_000;

/** OOM score adjustments by QoS (qos/policy.go). */
export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BEST_EFFORT_OOM_SCORE_ADJ = 1000;
/** SystemCriticalPriority: pods at or above it are "critical" and get the Guaranteed score. */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export interface LinuxResourcesOptions {
  /** The node's memory capacity in bytes, the base of the Burstable OOM score. */
  memoryCapacityBytes: number;
  /** CFS period in µs; default 100000. */
  cpuPeriodUs?: number;
  /** --cpu-cfs-quota=false leaves the quota unset; default true. */
  cpuCfsQuota?: boolean;
  /**
   * cgroup v2 without --single-process-oom-kill: ask the kernel to kill the whole container on
   * OOM (memory.oom.group=1), as the kubelet does on cgroup v2 hosts. Default false.
   */
  oomKillWholeContainer?: boolean;
}

/** CPU shares for milliCPU: 1024 per core, at least 2. kubelet: cm.MilliCPUToShares. */
export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu === 0) return MIN_SHARES;
  const shares = Math.floor((milliCpu * SHARES_PER_CPU) / 1000);
  return Math.min(Math.max(shares, MIN_SHARES), MAX_SHARES);
}

/** CFS quota for milliCPU over `period` µs; 0 (unlimited) without a limit, else at least 1 ms. */
export function milliCpuToQuota(milliCpu: number, period: number): number {
  if (milliCpu === 0) return 0;
  return Math.max(Math.floor((milliCpu * period) / 1000), MIN_QUOTA_US);
}

/**
 * The container's OOM score adjustment: Guaranteed (and critical) pods are killed last,
 * BestEffort first; Burstable in between, lower the more memory the container requests
 * relative to the node, kept strictly between the two tiers ([3, 999]).
 */
export function oomScoreAdj(pod: Pod, container: Container, memoryCapacityBytes: number): number {
  if ((pod.spec.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return GUARANTEED_OOM_SCORE_ADJ;
  switch (qosClass(pod)) {
    case "Guaranteed":
      return GUARANTEED_OOM_SCORE_ADJ;
    case "BestEffort":
      return BEST_EFFORT_OOM_SCORE_ADJ;
    case "Burstable":
      break;
  }
  const request = containerResources(container).requests.memory;
  const memoryRequest = request === undefined ? 0 : value(request);
  // Integer division as in Go, on numbers that stay exact (bytes * 1000 < 2^53 up to ~9 PB).
  const adj = 1000 - Math.trunc((1000 * memoryRequest) / memoryCapacityBytes);
  // A Guaranteed container using all memory scores about 3; Burstable must stay above it...
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  // ...and below BestEffort, so that BestEffort goes first.
  if (adj === BEST_EFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

/**
 * The container's LinuxContainerResources. Shares come from the cpu request (from the limit
 * when only a limit is set); the period is always set and the quota only with a cpu limit;
 * memory.limit_in_bytes only with a memory limit (0 = unlimited to the runtime).
 */
export function linuxContainerResources(pod: Pod, container: Container, opts: LinuxResourcesOptions): CriLinuxContainerResources {
  const { requests, limits } = containerResources(container);
  const cpuRequest = requests.cpu ?? limits.cpu;
  const period = opts.cpuPeriodUs ?? QUOTA_PERIOD_US;
  const quotaEnabled = opts.cpuCfsQuota ?? true;
  const out: CriLinuxContainerResources = {
    cpuPeriod: quotaEnabled ? period : 0,
    cpuQuota: quotaEnabled && limits.cpu !== undefined ? milliCpuToQuota(milliValue(limits.cpu), period) : 0,
    cpuShares: milliCpuToShares(cpuRequest === undefined ? 0 : milliValue(cpuRequest)),
    memoryLimitInBytes: limits.memory === undefined ? 0 : value(limits.memory),
    oomScoreAdj: oomScoreAdj(pod, container, opts.memoryCapacityBytes),
  };
  if (opts.oomKillWholeContainer === true) out.unified = { "memory.oom.group": "1" };
  return out;
}

// Capacity and allocatable (kubelet: cm.GetNodeAllocatableReservation): allocatable is what
// pods may request, capacity minus system-reserved, kube-reserved and the hard eviction
// thresholds that are absolute or a share of capacity (memory.available, nodefs.available).
import type { Reserved } from "./node-config.js";
import { formatBytes, formatMillicores } from "@natslet/core";

/** The kubelet's default --eviction-hard thresholds. */
export const EVICTION_HARD = {
  memoryAvailableBytes: 100 * 2 ** 20,
  nodefsAvailableRatio: 0.1,
  imagefsAvailableRatio: 0.15,
  pidAvailableRatio: 0.1,
} as const;

export interface MachineCapacity {
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding the root dir. */
  ephemeralStorageBytes: number;
}

export type ResourceList = Record<"cpu" | "memory" | "ephemeral-storage" | "pods", string>;

export function computeCapacity(
  machine: MachineCapacity,
  maxPods: number,
  systemReserved: Reserved,
  kubeReserved: Reserved,
): { capacity: ResourceList; allocatable: ResourceList } {
  const cpuMillis = machine.cpus * 1000;
  return {
    capacity: {
      cpu: formatMillicores(cpuMillis),
      memory: formatBytes(machine.memoryBytes),
      "ephemeral-storage": formatBytes(machine.ephemeralStorageBytes),
      pods: String(maxPods),
    },
    allocatable: {
      cpu: formatMillicores(cpuMillis - systemReserved.cpuMillis - kubeReserved.cpuMillis),
      memory: formatBytes(machine.memoryBytes - systemReserved.memoryBytes - kubeReserved.memoryBytes - EVICTION_HARD.memoryAvailableBytes),
      "ephemeral-storage": formatBytes(
        machine.ephemeralStorageBytes -
          systemReserved.ephemeralStorageBytes -
          kubeReserved.ephemeralStorageBytes -
          // A ratio threshold reserves that share of capacity, rounded up to a whole byte.
          Math.ceil(machine.ephemeralStorageBytes * EVICTION_HARD.nodefsAvailableRatio),
      ),
      pods: String(maxPods),
    },
  };
}

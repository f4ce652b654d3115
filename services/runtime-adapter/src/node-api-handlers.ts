// Handlers of the node-api's runtime commands (contracts: runtime-node-api.ts): the CRI streaming
// URLs for exec/attach/port-forward, and the CRI stats of natslet's containers and sandboxes.
import type { ContainerStatsEntry, PodSandboxStatsEntry, ResourceUsage, runtimeNodeApiMethods } from "@natslet/contracts";
import { labelKeys } from "@natslet/core";
import { CriError, type ContainerStats, type CpuUsage, type MemoryUsage, type PodSandboxStats, type UInt64Value } from "@natslet/cri";
import type { HandlersOf } from "./handlers.js";
import { managedSelector } from "./observe-map.js";
import type { Runtime } from "./runtime.js";

const SANDBOX_STATS_RETRY_MS = 5 * 60_000;

export function createNodeApiHandlers(rt: Runtime): HandlersOf<typeof runtimeNodeApiMethods> {
  // Epoch ms before which ListPodSandboxStats is not asked again after it failed.
  let sandboxStatsRetryAt = 0;
  return {
    Exec: (req) => rt.cri.exec(req),
    Attach: (req) => rt.cri.attach(req),
    PortForward: (req) => rt.cri.portForward({ podSandboxId: req.sandboxId, port: req.ports }),
    ListStats: async () => {
      const labelSelector = managedSelector();
      const containers = (await rt.cri.listContainerStats({ filter: { labelSelector } })).stats.flatMap(containerEntry);
      let pods: PodSandboxStatsEntry[] = [];
      if (Date.now() >= sandboxStatsRetryAt) {
        try {
          pods = (await rt.cri.listPodSandboxStats({ filter: { labelSelector } })).stats.flatMap(sandboxEntry);
        } catch (err) {
          // Older runtimes lack sandbox stats (UNIMPLEMENTED), and containerd 1.6 fails the whole
          // call for any sandbox without a cgroup parent ("cgroupPath is empty"), which natslet's
          // sandboxes do not set. The node-api then sums the containers; asking again on every
          // scrape would only repeat the same error.
          if (!(err instanceof CriError)) throw err;
          sandboxStatsRetryAt = Date.now() + SANDBOX_STATS_RETRY_MS;
        }
      }
      return { containers, pods };
    },
  };
}

function containerEntry(s: ContainerStats): ContainerStatsEntry[] {
  const a = s.attributes;
  if (a === null || a.id === "") return [];
  const rootfs = s.writableLayer?.usedBytes?.value;
  return [
    {
      id: a.id,
      name: a.metadata?.name ?? a.labels[labelKeys.containerName] ?? "",
      podUid: a.labels[labelKeys.podUid] ?? "",
      podName: a.labels[labelKeys.podName] ?? "",
      podNamespace: a.labels[labelKeys.podNamespace] ?? "",
      usage: resourceUsage(s.cpu, s.memory),
      ...(rootfs !== undefined ? { rootfsUsedBytes: Number(rootfs) } : {}),
    },
  ];
}

function sandboxEntry(s: PodSandboxStats): PodSandboxStatsEntry[] {
  const a = s.attributes;
  if (a === null || a.id === "" || s.linux === null) return [];
  return [
    {
      sandboxId: a.id,
      podUid: a.metadata?.uid ?? a.labels[labelKeys.podUid] ?? "",
      podName: a.metadata?.name ?? a.labels[labelKeys.podName] ?? "",
      podNamespace: a.metadata?.namespace ?? a.labels[labelKeys.podNamespace] ?? "",
      usage: resourceUsage(s.linux.cpu, s.linux.memory),
    },
  ];
}

/** CRI timestamps are nanoseconds; UInt64Values are decimal strings, absent when not measured. */
function resourceUsage(cpu: CpuUsage | null, memory: MemoryUsage | null): ResourceUsage {
  const u: Record<string, number> = {
    cpuTimestampMs: Math.floor(Number(cpu?.timestamp ?? 0) / 1e6),
    memoryTimestampMs: Math.floor(Number(memory?.timestamp ?? 0) / 1e6),
  };
  const set = (key: keyof ResourceUsage, v: UInt64Value | null | undefined): void => {
    if (v !== null && v !== undefined) u[key] = Number(v.value);
  };
  set("cpuUsageCoreNanoSeconds", cpu?.usageCoreNanoSeconds);
  set("cpuUsageNanoCores", cpu?.usageNanoCores);
  set("memoryWorkingSetBytes", memory?.workingSetBytes);
  set("memoryUsageBytes", memory?.usageBytes);
  set("memoryRssBytes", memory?.rssBytes);
  set("memoryAvailableBytes", memory?.availableBytes);
  set("memoryPageFaults", memory?.pageFaults);
  set("memoryMajorPageFaults", memory?.majorPageFaults);
  return u as ResourceUsage;
}

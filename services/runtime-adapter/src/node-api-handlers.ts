// Handlers of the node-api's runtime commands (contracts: runtime-node-api.ts): the CRI streaming
// URLs for exec/attach/port-forward, and the CRI stats of natslet's containers and sandboxes.
import type { ContainerStatsEntry, ObservedNode, PodSandboxStatsEntry, ResourceUsage, runtimeNodeApiMethods } from "@natslet/contracts";
import { labelKeys } from "@natslet/core";
import { CriError, type ContainerStats, type CpuUsage, type MemoryUsage, type PodSandboxStats, type UInt64Value } from "@natslet/cri";
import type { HandlersOf } from "./handlers.js";
import type { Observer } from "./observe.js";
import { managedSelector } from "./observe-map.js";
import type { Runtime } from "./runtime.js";

const SANDBOX_STATS_RETRY_MS = 5 * 60_000;

export function createNodeApiHandlers(rt: Runtime, observer: Pick<Observer, "node">): HandlersOf<typeof runtimeNodeApiMethods> {
  // Epoch ms before which ListPodSandboxStats is not asked again after it failed.
  let sandboxStatsRetryAt = 0;
  return {
    Exec: (req) => rt.cri.exec(req),
    Attach: (req) => rt.cri.attach(req),
    PortForward: (req) => rt.cri.portForward({ podSandboxId: req.sandboxId, port: req.ports }),
    ListStats: async () => {
      const labelSelector = managedSelector();
      // Start times from the observer (which keeps each status while its state stays): the
      // node-api need not list every pod besides.
      const [{ stats }, observed] = await Promise.all([rt.cri.listContainerStats({ filter: { labelSelector } }), observer.node()]);
      const startedAt = startTimes(observed);
      const containers = stats.flatMap((s) => containerEntry(s, startedAt));
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

/** Start times by container ID, of the containers that have started. */
function startTimes(node: ObservedNode): Map<string, number> {
  const times = new Map<string, number>();
  for (const p of Object.values(node.pods)) for (const c of p.containers) if (c.startedAt !== undefined) times.set(c.id, c.startedAt);
  return times;
}

function containerEntry(s: ContainerStats, started: ReadonlyMap<string, number>): ContainerStatsEntry[] {
  const a = s.attributes;
  if (a === null || a.id === "") return [];
  const rootfs = s.writableLayer?.usedBytes?.value;
  const startedAt = started.get(a.id);
  return [
    {
      id: a.id,
      name: a.metadata?.name ?? a.labels[labelKeys.containerName] ?? "",
      podUid: a.labels[labelKeys.podUid] ?? "",
      podName: a.labels[labelKeys.podName] ?? "",
      podNamespace: a.labels[labelKeys.podNamespace] ?? "",
      usage: resourceUsage(s.cpu, s.memory),
      ...(rootfs !== undefined ? { rootfsUsedBytes: Number(rootfs) } : {}),
      ...(startedAt !== undefined ? { startedAt } : {}),
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

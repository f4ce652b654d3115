// The kubelet's resource stats, computed from CRI stats samples (runtime-adapter ListStats) and
// the node's own counters: the Summary API (/stats/summary, stats/v1alpha1) and the resource
// metrics endpoint (/metrics/resource) that metrics-server scrapes for `kubectl top`. Pure.
import type { ContainerStatsEntry, PodSandboxStatsEntry, ResourceUsage } from "@natslet/contracts";

/** The node's own counters (node-stats.ts reads them from /proc and statfs). */
export interface NodeSample {
  timeMs: number;
  cpuUsageCoreNanoSeconds: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  memoryFreeBytes: number;
  fs?: { capacityBytes: number; availableBytes: number; usedBytes: number };
  bootTimeMs: number;
}

export interface StatsInput {
  nodeName: string;
  node: NodeSample;
  containers: readonly ContainerStatsEntry[];
  /** Sandbox stats; empty when the runtime lacks them (then pods are the sum of their containers). */
  pods: readonly PodSandboxStatsEntry[];
}

/**
 * CPU rate from two cumulative samples, per key (container ID, pod UID, "node"). The kubelet's
 * cadvisor keeps a history; one previous sample is all usageNanoCores needs. Keys not seen in a
 * pass are forgotten by `retain`.
 */
export class CpuRates {
  readonly #last = new Map<string, { timeMs: number; ns: number; rate: number | undefined }>();

  /** nanocores over the time since the previous, older sample; undefined on the first one. */
  rate(key: string, timeMs: number, cumulativeNs: number): number | undefined {
    const prev = this.#last.get(key);
    if (prev !== undefined && timeMs === prev.timeMs) return prev.rate; // the same sample again
    let rate: number | undefined;
    if (prev !== undefined && timeMs > prev.timeMs && cumulativeNs >= prev.ns) {
      // CPU nanoseconds per wall-clock second = nanocores.
      rate = Math.round(((cumulativeNs - prev.ns) / (timeMs - prev.timeMs)) * 1e3);
    }
    this.#last.set(key, { timeMs, ns: cumulativeNs, rate });
    return rate;
  }

  retain(keys: ReadonlySet<string>): void {
    for (const key of this.#last.keys()) if (!keys.has(key)) this.#last.delete(key);
  }

  get size(): number {
    return this.#last.size;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}
interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface Summary {
  node: {
    nodeName: string;
    startTime: string;
    cpu: CpuStats;
    memory: MemoryStats;
    fs?: { time: string; availableBytes: number; capacityBytes: number; usedBytes: number };
    systemContainers: [];
  };
  pods: {
    podRef: { name: string; namespace: string; uid: string };
    startTime?: string;
    containers: { name: string; startTime?: string; cpu: CpuStats; memory: MemoryStats; rootfs?: { time: string; usedBytes: number } }[];
    cpu: CpuStats;
    memory: MemoryStats;
  }[];
}

function cpuOf(rates: CpuRates, key: string, u: ResourceUsage): CpuStats {
  const cpu: CpuStats = { time: iso(u.cpuTimestampMs) };
  if (u.cpuUsageCoreNanoSeconds !== undefined) {
    cpu.usageCoreNanoSeconds = u.cpuUsageCoreNanoSeconds;
    const computed = rates.rate(key, u.cpuTimestampMs, u.cpuUsageCoreNanoSeconds);
    const nanoCores = u.cpuUsageNanoCores ?? computed;
    if (nanoCores !== undefined) cpu.usageNanoCores = nanoCores;
  } else if (u.cpuUsageNanoCores !== undefined) {
    cpu.usageNanoCores = u.cpuUsageNanoCores;
  }
  return cpu;
}

function memoryOf(u: ResourceUsage): MemoryStats {
  const m: MemoryStats = { time: iso(u.memoryTimestampMs) };
  if (u.memoryAvailableBytes !== undefined) m.availableBytes = u.memoryAvailableBytes;
  if (u.memoryUsageBytes !== undefined) m.usageBytes = u.memoryUsageBytes;
  if (u.memoryWorkingSetBytes !== undefined) m.workingSetBytes = u.memoryWorkingSetBytes;
  if (u.memoryRssBytes !== undefined) m.rssBytes = u.memoryRssBytes;
  if (u.memoryPageFaults !== undefined) m.pageFaults = u.memoryPageFaults;
  if (u.memoryMajorPageFaults !== undefined) m.majorPageFaults = u.memoryMajorPageFaults;
  return m;
}

/** A pod's usage as the sum of its containers' (for runtimes without sandbox stats). */
export function sumUsage(usages: readonly ResourceUsage[]): ResourceUsage {
  const total: Record<string, number> = { cpuTimestampMs: 0, memoryTimestampMs: 0 };
  for (const u of usages) {
    total["cpuTimestampMs"] = Math.max(total["cpuTimestampMs"]!, u.cpuTimestampMs);
    total["memoryTimestampMs"] = Math.max(total["memoryTimestampMs"]!, u.memoryTimestampMs);
    for (const [k, v] of Object.entries(u)) {
      if (k.endsWith("TimestampMs") || typeof v !== "number") continue;
      total[k] = (total[k] ?? 0) + v;
    }
  }
  return total as ResourceUsage;
}

/** The Summary API document. Updates `rates` with this pass's samples. */
export function summarize(input: StatsInput, rates: CpuRates): Summary {
  const seen = new Set<string>(["node"]);
  const n = input.node;
  const nodeCpu = rates.rate("node", n.timeMs, n.cpuUsageCoreNanoSeconds);
  const workingSet = n.memoryTotalBytes - n.memoryAvailableBytes;
  const node: Summary["node"] = {
    nodeName: input.nodeName,
    startTime: iso(n.bootTimeMs),
    cpu: { time: iso(n.timeMs), usageCoreNanoSeconds: n.cpuUsageCoreNanoSeconds, ...(nodeCpu !== undefined ? { usageNanoCores: nodeCpu } : {}) },
    memory: {
      time: iso(n.timeMs),
      availableBytes: n.memoryAvailableBytes,
      usageBytes: n.memoryTotalBytes - n.memoryFreeBytes,
      workingSetBytes: workingSet,
    },
    ...(n.fs ? { fs: { time: iso(n.timeMs), ...n.fs } } : {}),
    systemContainers: [],
  };

  const byPod = new Map<string, { ref: { name: string; namespace: string; uid: string }; containers: ContainerStatsEntry[] }>();
  for (const c of input.containers) {
    if (c.podUid === "") continue;
    const entry = byPod.get(c.podUid) ?? { ref: { name: c.podName, namespace: c.podNamespace, uid: c.podUid }, containers: [] };
    entry.containers.push(c);
    byPod.set(c.podUid, entry);
  }
  const sandboxes = new Map(input.pods.map((p) => [p.podUid, p]));
  for (const p of input.pods) {
    if (!byPod.has(p.podUid)) byPod.set(p.podUid, { ref: { name: p.podName, namespace: p.podNamespace, uid: p.podUid }, containers: [] });
  }

  const pods: Summary["pods"] = [];
  for (const [uid, { ref, containers }] of [...byPod].sort(([a], [b]) => a.localeCompare(b))) {
    const podUsage = sandboxes.get(uid)?.usage ?? sumUsage(containers.map((c) => c.usage));
    seen.add(`pod/${uid}`);
    const starts = containers.map((c) => c.startedAt).filter((t): t is number => t !== undefined);
    pods.push({
      podRef: ref,
      ...(starts.length > 0 ? { startTime: iso(Math.min(...starts)) } : {}),
      containers: [...containers]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((c) => {
          seen.add(c.id);
          return {
            name: c.name,
            ...(c.startedAt !== undefined ? { startTime: iso(c.startedAt) } : {}),
            cpu: cpuOf(rates, c.id, c.usage),
            memory: memoryOf(c.usage),
            ...(c.rootfsUsedBytes !== undefined ? { rootfs: { time: iso(c.usage.memoryTimestampMs), usedBytes: c.rootfsUsedBytes } } : {}),
          };
        }),
      cpu: cpuOf(rates, `pod/${uid}`, podUsage),
      memory: memoryOf(podUsage),
    });
  }
  rates.retain(seen);
  return { node, pods };
}

/** Label values escaped as the Prometheus text format wants. */
function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/**
 * /metrics/resource in the Prometheus text format with the kubelet's metric names and help
 * texts (pkg/kubelet/metrics/collectors/resource_metrics.go); samples carry their timestamps.
 */
export function resourceMetricsText(summary: Summary, scrapeError: boolean): string {
  const out: string[] = [];
  const family = (name: string, type: "counter" | "gauge", help: string, samples: [string, number | undefined, string][]) => {
    out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value, time] of samples) {
      if (value === undefined) continue;
      const ms = Date.parse(time);
      out.push(`${name}${labels} ${value}${ms > 0 ? ` ${ms}` : ""}`);
    }
  };
  const node = summary.node;
  const seconds = (ns: number | undefined) => (ns === undefined ? undefined : ns / 1e9);
  const containers = summary.pods.flatMap((p) =>
    p.containers.map((c) => ({ labels: `{container="${label(c.name)}",namespace="${label(p.podRef.namespace)}",pod="${label(p.podRef.name)}"}`, c })),
  );
  const pods = summary.pods.map((p) => ({ labels: `{namespace="${label(p.podRef.namespace)}",pod="${label(p.podRef.name)}"}`, p }));
  family("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the container in core-seconds",
    containers.map(({ labels, c }) => [labels, seconds(c.cpu.usageCoreNanoSeconds), c.cpu.time]));
  family("container_memory_working_set_bytes", "gauge", "Current working set of the container in bytes",
    containers.map(({ labels, c }) => [labels, c.memory.workingSetBytes, c.memory.time]));
  out.push("# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds", "# TYPE container_start_time_seconds gauge");
  for (const { labels, c } of containers) {
    if (c.startTime !== undefined) out.push(`container_start_time_seconds${labels} ${Date.parse(c.startTime) / 1000}`);
  }
  family("node_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the node in core-seconds",
    [["", seconds(node.cpu.usageCoreNanoSeconds), node.cpu.time]]);
  family("node_memory_working_set_bytes", "gauge", "Current working set of the node in bytes",
    [["", node.memory.workingSetBytes, node.memory.time]]);
  family("pod_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the pod in core-seconds",
    pods.map(({ labels, p }) => [labels, seconds(p.cpu.usageCoreNanoSeconds), p.cpu.time]));
  family("pod_memory_working_set_bytes", "gauge", "Current working set of the pod in bytes",
    pods.map(({ labels, p }) => [labels, p.memory.workingSetBytes, p.memory.time]));
  out.push(
    "# HELP scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise",
    "# TYPE scrape_error gauge",
    `scrape_error ${scrapeError ? 1 : 0}`,
  );
  return out.join("\n") + "\n";
}

// The node's own CPU, memory and filesystem counters, for the node part of the stats. The
// kubelet takes them from cadvisor's root cgroup; /proc/stat and /proc/meminfo give the same
// totals without cadvisor (working set = MemTotal - MemAvailable, an approximation).
import { readFile, statfs } from "node:fs/promises";
import type { NodeSample } from "./stats.js";

/** USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture natslet runs on. */
const NS_PER_TICK = 1e7;

export function parseProcStat(text: string): { cpuUsageCoreNanoSeconds: number; bootTimeMs: number } {
  let cpu = 0;
  let boot = 0;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[0] === "cpu") {
      // user nice system idle iowait irq softirq steal (guest time is already in user).
      const [user, nice, system, , , irq, softirq, steal] = f.slice(1).map(Number);
      cpu = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0) * NS_PER_TICK;
    } else if (f[0] === "btime") {
      boot = Number(f[1]) * 1000;
    }
  }
  return { cpuUsageCoreNanoSeconds: cpu, bootTimeMs: boot };
}

export function parseMeminfo(text: string): { total: number; available: number; free: number } {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0) * 1024;
  return { total: kb("MemTotal"), available: kb("MemAvailable"), free: kb("MemFree") };
}

/** A sample now; `fsPath` is a directory on the filesystem pods write to (the pod logs dir). */
export async function readNodeSample(fsPath: string): Promise<NodeSample> {
  const [stat, meminfo, fs] = await Promise.all([
    readFile("/proc/stat", "utf8"),
    readFile("/proc/meminfo", "utf8"),
    statfs(fsPath).catch(() => undefined),
  ]);
  const cpu = parseProcStat(stat);
  const mem = parseMeminfo(meminfo);
  return {
    timeMs: Date.now(),
    cpuUsageCoreNanoSeconds: cpu.cpuUsageCoreNanoSeconds,
    bootTimeMs: cpu.bootTimeMs,
    memoryTotalBytes: mem.total,
    memoryAvailableBytes: mem.available,
    memoryFreeBytes: mem.free,
    ...(fs
      ? { fs: { capacityBytes: fs.blocks * fs.bsize, availableBytes: fs.bavail * fs.bsize, usedBytes: (fs.blocks - fs.bfree) * fs.bsize } }
      : {}),
  };
}

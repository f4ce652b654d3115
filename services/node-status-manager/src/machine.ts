// Reads the host: what the node is (nodeInfo, capacity; read once) and how it is doing
// (the pressure readings; read on every status check).
import { readFile, statfs } from "node:fs/promises";
import { cpus, release } from "node:os";
import type { MachineCapacity } from "./capacity.js";
import type { Readings } from "./conditions.js";
import { goArch, parseLoadavgThreads, parseMeminfo, parseOsRelease } from "./machine-parse.js";

export interface MachineInfo extends MachineCapacity {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  operatingSystem: "linux";
}

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    return undefined;
  }
}

async function filesystem(path: string): Promise<{ availableBytes: number; capacityBytes: number }> {
  const s = await statfs(path);
  return { availableBytes: s.bavail * s.bsize, capacityBytes: s.blocks * s.bsize };
}

export async function readMachineInfo(rootDir: string): Promise<MachineInfo> {
  const machineID = (await readTrimmed("/etc/machine-id")) ?? "";
  // product_uuid is root-only and absent in some VMs; the kubelet then reports what it has.
  const systemUUID = (await readTrimmed("/sys/class/dmi/id/product_uuid")) || machineID;
  const meminfo = parseMeminfo(await readFile("/proc/meminfo", "utf8"));
  return {
    machineID,
    systemUUID,
    bootID: (await readTrimmed("/proc/sys/kernel/random/boot_id")) ?? "",
    kernelVersion: release(),
    osImage: parseOsRelease((await readTrimmed("/etc/os-release")) ?? ""),
    architecture: goArch(process.arch),
    operatingSystem: "linux",
    cpus: cpus().length,
    memoryBytes: meminfo.totalBytes,
    ephemeralStorageBytes: (await filesystem(rootDir)).capacityBytes,
  };
}

/** The readings the kubelet's default hard eviction thresholds are about; one failing is left out. */
export async function readReadings(rootDir: string): Promise<Readings> {
  const readings: Readings = {};
  const meminfo = await readTrimmed("/proc/meminfo");
  if (meminfo !== undefined) {
    const available = parseMeminfo(meminfo).availableBytes;
    if (available !== undefined) readings.memoryAvailableBytes = available;
  }
  try {
    readings.nodefs = await filesystem(rootDir);
  } catch {
    // no reading, no pressure signal
  }
  const pidMax = Number(await readTrimmed("/proc/sys/kernel/pid_max"));
  const threads = parseLoadavgThreads((await readTrimmed("/proc/loadavg")) ?? "");
  if (Number.isSafeInteger(pidMax) && pidMax > 0 && threads !== undefined) readings.pids = { inUse: threads, max: pidMax };
  return readings;
}

// The node's memory capacity, the base of the Burstable OOM score (core: oomScoreAdj). Read once
// at start: it does not change while the node runs.
import { readFile } from "node:fs/promises";

/** Bytes of "MemTotal:  16384256 kB" in /proc/meminfo text. */
export function parseMemTotal(meminfo: string): number {
  const match = /^MemTotal:\s+(\d+)\s*kB$/m.exec(meminfo);
  const kib = match?.[1] === undefined ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(kib) || kib <= 0) throw new Error("no MemTotal in /proc/meminfo");
  return kib * 1024;
}

export async function readMemoryCapacity(path = "/proc/meminfo"): Promise<number> {
  return parseMemTotal(await readFile(path, "utf8"));
}

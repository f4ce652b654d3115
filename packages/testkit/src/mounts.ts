import { readFileSync } from "node:fs";
import { run } from "./exec.js";

/**
 * Unmounts (lazily, deepest first) everything mounted at or under `dir`: what containerd, a
 * kubelet or natslet's volume-manager left behind when it was stopped or killed mid-work.
 */
export async function unmountBelow(dir: string): Promise<void> {
  const mounts = readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(dir + "/")))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run("umount", ["-l", m]).catch(() => undefined);
}

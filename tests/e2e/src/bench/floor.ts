// The direct-CRI floor: what the runtime alone costs. N pods fired at once straight at the CRI
// (RunPodSandbox with CNI, CreateContainer, StartContainer each), no API server, no bus, no
// status; then all removed at once (StopPodSandbox, which kills the containers without grace,
// and RemovePodSandbox). No node agent can be faster than this on the same runtime.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { CriClient, PodSandboxConfig } from "@natslet/cri";
import { distribution, type Distribution } from "./stats.js";

export interface FloorResult {
  startup: Distribution;
  /** Fire → last StartContainer returned. */
  allRunningMs: number;
  removal: Distribution;
  /** Fire → last RemovePodSandbox returned. */
  allGoneMs: number;
}

export async function floorBurst(cri: CriClient, opts: { n: number; image: string; prefix: string; logRoot: string }): Promise<FloorResult> {
  const pods = Array.from({ length: opts.n }, (_, i) => sandboxConfig(`${opts.prefix}-${i}`, opts.logRoot));
  const fired = Date.now();
  const started = await Promise.all(
    pods.map(async ({ config, logDirectory }) => {
      // containerd writes container logs below it but does not create it.
      await mkdir(logDirectory, { recursive: true });
      const { podSandboxId } = await cri.runPodSandbox({ config });
      const { containerId } = await cri.createContainer({
        podSandboxId,
        config: {
          metadata: { name: "sleep", attempt: 0 },
          image: { image: opts.image },
          command: ["sleep", "3600"],
          logPath: "sleep/0.log",
        },
        sandboxConfig: config,
      });
      await cri.startContainer({ containerId });
      return { podSandboxId, at: Date.now() };
    }),
  );
  const removeFired = Date.now();
  const removed = await Promise.all(
    started.map(async ({ podSandboxId }) => {
      await cri.stopPodSandbox({ podSandboxId });
      await cri.removePodSandbox({ podSandboxId });
      return Date.now();
    }),
  );
  return {
    startup: distribution(started.map((s) => s.at - fired)),
    allRunningMs: Math.max(...started.map((s) => s.at)) - fired,
    removal: distribution(removed.map((at) => at - removeFired)),
    allGoneMs: Math.max(...removed) - removeFired,
  };
}

function sandboxConfig(name: string, logRoot: string): { config: PodSandboxConfig; logDirectory: string } {
  const uid = randomUUID();
  const logDirectory = join(logRoot, `bench-floor_${name}_${uid}`);
  return {
    config: {
      metadata: { name, uid, namespace: "bench-floor", attempt: 0 },
      hostname: name,
      logDirectory,
      labels: { "io.kubernetes.pod.uid": uid, "io.kubernetes.pod.name": name },
      linux: {},
    },
    logDirectory,
  };
}

// One measured pull run: N pods created at once over K images that are in the local registry
// but not in containerd, on one agent; how long until all are Running, and how many pulls it
// took (the agent's own CRI PullImage count, and what the registry served).
import { join } from "node:path";
import type { CriClient } from "@natslet/cri";
import type { Registry, RegistryRequest } from "@natslet/testkit";
import { diffCalls, type CriCalls } from "./metrics.js";
import { podBurst, type BurstResult } from "./pods.js";
import { ProcSampler } from "./proc.js";
import { KUBELET_NODE, withKubelet, withNatslet, type Env, type KubeletSetup } from "./runs.js";
import type { Distribution } from "./stats.js";

export const PULL_AGENTS = ["natslet", "kubelet-serial", "kubelet-parallel"] as const;
export type PullAgent = (typeof PULL_AGENTS)[number];

export interface PullRunResult {
  agent: PullAgent;
  repeat: number;
  error?: string;
  /** First create sent → last pod seen Running. */
  allRunningMs?: number;
  startup?: Distribution;
  /** CRI PullImage calls the agent made (its own histogram), and their summed duration. */
  criPulls?: number;
  criPullSeconds?: number;
  /** What the registry served during the run: manifest requests (GET/HEAD), blob GETs. */
  registry?: { manifestRequests: number; blobGets: number };
  agentCpuSeconds?: number;
  containerdCpuSeconds?: number;
  criCalls?: CriCalls;
}

export interface PullScenario {
  n: number;
  images: readonly string[];
  registry: Registry;
}

/** The PullImage entry of each agent's CRI histogram. */
const PULL_METHOD: Record<PullAgent, string> = { natslet: "PullImage", "kubelet-serial": "pull_image", "kubelet-parallel": "pull_image" };

/**
 * Removes the scenario's images from containerd (and so, with the CRI's synchronous delete,
 * their content) so that the run really pulls; throws if one is still there.
 */
export async function removeImages(cri: CriClient, refs: readonly string[]): Promise<void> {
  const present = async () => {
    const { images } = await cri.listImages({});
    return images.filter((img) => img.repoTags.some((t) => refs.includes(t)));
  };
  for (const img of await present()) await cri.removeImage({ image: { image: img.id } });
  const left = await present();
  if (left.length > 0) throw new Error(`images still in containerd after RemoveImage: ${left.flatMap((i) => i.repoTags).join(", ")}`);
}

export function registryCounts(requests: readonly RegistryRequest[]): { manifestRequests: number; blobGets: number } {
  return {
    manifestRequests: requests.filter((r) => r.path.includes("/manifests/")).length,
    blobGets: requests.filter((r) => r.method === "GET" && r.path.includes("/blobs/") && r.status === 200).length,
  };
}

export async function runPulls(agent: PullAgent, repeat: number, env: Env, scenario: PullScenario, kubeletSetup: KubeletSetup): Promise<PullRunResult> {
  const prefix = `pulls-${agent}-${repeat}`;
  const dir = join(env.dir, prefix);
  const measure = (nodeName: string, pids: Record<number, string>, criCalls: () => Promise<CriCalls>) =>
    measurePulls(agent, repeat, env, scenario, { nodeName, prefix, pids, criCalls });
  if (agent === "natslet") {
    // A node name per run: fresh streams and image-manager KV keys (pull records) for each.
    const nodeName = `natslet-pulls-${repeat}`;
    return withNatslet(env, { nodeName, dir, prefix }, (a) => measure(nodeName, a.pids(), a.criCalls));
  }
  return withKubelet(
    env,
    { dir, prefix },
    kubeletSetup,
    (k) => measure(KUBELET_NODE, k.pid === undefined ? {} : { [k.pid]: "kubelet" }, k.criCalls),
    { serializeImagePulls: agent === "kubelet-serial" },
  );
}

async function measurePulls(
  agent: PullAgent,
  repeat: number,
  env: Env,
  scenario: PullScenario,
  probe: { nodeName: string; prefix: string; pids: Record<number, string>; criCalls: () => Promise<CriCalls> },
): Promise<PullRunResult> {
  const callsBefore = await probe.criCalls();
  const requestsBefore = scenario.registry.requests().length;
  const sampler = new ProcSampler({ agent: probe.pids, containerd: env.context["containerd"] ?? {} });
  sampler.start();
  let burst: BurstResult;
  try {
    burst = await podBurst({
      core: env.core, kc: env.kc, nodeName: probe.nodeName, image: scenario.images[0] ?? "", images: scenario.images,
      n: scenario.n, prefix: probe.prefix, timeoutMs: 120_000 + scenario.n * 2000, signal: env.signal,
    });
  } catch (err) {
    sampler.stop();
    throw err;
  }
  // Over the whole burst: pulls, starts and the removal that podBurst ends with.
  const usage = sampler.stop();
  const criCalls = diffCalls(callsBefore, await probe.criCalls());
  const pulls = criCalls[PULL_METHOD[agent]];
  return {
    agent,
    repeat,
    allRunningMs: burst.allRunningMs,
    startup: burst.startup,
    criPulls: pulls?.count ?? 0,
    criPullSeconds: pulls?.seconds ?? 0,
    registry: registryCounts(scenario.registry.requests().slice(requestsBefore)),
    agentCpuSeconds: usage["agent"]?.cpuSeconds ?? Number.NaN,
    containerdCpuSeconds: usage["containerd"]?.cpuSeconds ?? Number.NaN,
    criCalls,
  };
}

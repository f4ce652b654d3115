// One measured run per agent and N, each from an empty runtime and alone on the machine: the
// direct-CRI floor, natslet (its services as processes) and the real kubelet. Each run cleans
// up after itself (pods, the agent, what it left in the runtime and on the host).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { CriClient } from "@natslet/cri";
import { removeDir, type Containerd, type ControlPlane, type NatsServer } from "@natslet/testkit";
import { floorBurst } from "./floor.js";
import { log } from "./env.js";
import { startKubelet, type Kubelet, type KubeletOptions } from "./kubelet.js";
import { diffCalls, type CriCalls, type EventLoopLag } from "./metrics.js";
import { natsletOverhead, startNatsletAgent, type NatsletAgent } from "./natslet.js";
import { forceDeleteRun, podBurst, type BurstResult, type PodTimes } from "./pods.js";
import { ProcSampler, type Groups } from "./proc.js";
import type { Agent, RunResult } from "./report.js";
import { emptyRuntime } from "./runtime.js";

export const KUBELET_NODE = "kubelet-bench";

export interface Env {
  dir: string;
  nats: NatsServer;
  controlPlane: ControlPlane;
  containerd: Containerd;
  cri: CriClient;
  kc: KubeConfig;
  core: CoreV1Api;
  /** Set on Ctrl-C: runs stop waiting and clean up. */
  signal: AbortSignal;
  /** Context processes whose CPU every run also records. */
  context: Groups;
}

/** Runs a burst with the sampler around it; turns the burst's numbers into a result. */
async function measured(
  agent: Agent,
  n: number,
  env: Env,
  probes: { pids: Record<number, string>; criCalls: () => Promise<CriCalls>; eventLoopLag?: () => Promise<Record<string, EventLoopLag>> },
  burst: () => Promise<BurstResult>,
): Promise<{ result: RunResult; pods: PodTimes[] }> {
  const callsBefore = await probes.criCalls();
  await probes.eventLoopLag?.(); // resets the services' delay histograms
  const sampler = new ProcSampler({ agent: probes.pids, ...env.context });
  sampler.start();
  let burstResult: BurstResult;
  try {
    burstResult = await burst();
  } catch (err) {
    sampler.stop();
    throw err;
  }
  const usage = sampler.stop();
  // Event-loop delay first: every scrape of a service's /metrics resets its delay histogram.
  const eventLoopLag = await probes.eventLoopLag?.();
  const criCalls = diffCalls(callsBefore, await probes.criCalls());
  const { items } = await env.cri.listPodSandbox({});
  const { pods, ...figures } = burstResult;
  const result: RunResult = { agent, n, ...figures, usage, criCalls, leftoverSandboxes: items.length };
  if (eventLoopLag) result.eventLoopLag = eventLoopLag;
  return { result, pods };
}

export async function runFloor(n: number, env: Env): Promise<RunResult> {
  const logRoot = join(env.dir, `floor-n${n}-logs`);
  const sampler = new ProcSampler(env.context);
  sampler.start();
  try {
    const r = await floorBurst(env.cri, { n, image: env.containerd.busyboxImage, prefix: `floor-n${n}`, logRoot });
    return { agent: "floor", n, ...r, usage: sampler.stop() };
  } catch (err) {
    sampler.stop();
    throw err;
  } finally {
    await removeDir(logRoot);
  }
}

export function timeoutFor(n: number): number {
  return 60_000 + n * 1000;
}

/** Where an agent runs: its node name, its own dir below the environment's, its pods' prefix. */
export interface AgentPlace {
  nodeName: string;
  dir: string;
  prefix: string;
}

/**
 * Starts natslet's services for `place.nodeName`, runs `body`, then cleans up: the run's pods
 * force-deleted with natslet still running (so it cleans up after itself as it would for a
 * user), natslet stopped, and whatever it left in the runtime removed.
 */
export async function withNatslet<T>(env: Env, place: AgentPlace, body: (agent: NatsletAgent) => Promise<T>, extraEnv: Record<string, string> = {}): Promise<T> {
  mkdirSync(place.dir, { recursive: true });
  let agent: NatsletAgent | undefined;
  try {
    agent = await startNatsletAgent({
      natsUrl: env.nats.url, kubeconfig: env.controlPlane.kubeconfig, criEndpoint: env.containerd.endpoint, nodeName: place.nodeName, dir: place.dir, env: extraEnv,
    });
    await sleep(2000); // start-up work (first relist, stream catch-up) is not the burst's
    return await body(agent);
  } finally {
    await forceDeleteRun(env.core, place.prefix).catch((err: unknown) => log(`force delete ${place.prefix}: ${String(err)}`));
    await agent?.stop();
    const left = await emptyRuntime(env.cri);
    if (left > 0) log(`natslet ${place.prefix}: removed ${left} sandboxes it left behind`);
  }
}

export async function runNatslet(n: number, env: Env): Promise<RunResult> {
  // A node name per N: each run starts with empty streams for its node (no tombstones of the last run).
  const place = { nodeName: `natslet-bench-n${n}`, dir: join(env.dir, `natslet-n${n}`), prefix: `nl-n${n}` };
  return withNatslet(env, place, async (agent) => {
    const { result, pods } = await measured("natslet", n, env, { pids: agent.pids(), criCalls: agent.criCalls, eventLoopLag: agent.eventLoopLag }, () =>
      podBurst({ core: env.core, kc: env.kc, nodeName: place.nodeName, image: env.containerd.busyboxImage, n, prefix: place.prefix, timeoutMs: timeoutFor(n), signal: env.signal }),
    );
    return { ...result, overhead: natsletOverhead(agent.adapterLog, pods) };
  });
}

/** How the kubelet was started (or why it could not be), for the results file. */
export interface KubeletSetup {
  args?: readonly string[];
  config?: string;
  error?: string;
}

/**
 * Starts the real kubelet as node KUBELET_NODE (recording how in `setup`), runs `body`, then
 * force-deletes the run's pods, stops the kubelet and cleans the host and the runtime.
 */
export async function withKubelet<T>(
  env: Env,
  place: Omit<AgentPlace, "nodeName">,
  setup: KubeletSetup,
  body: (kubelet: Kubelet) => Promise<T>,
  config: Pick<KubeletOptions, "serializeImagePulls"> = {},
): Promise<T> {
  mkdirSync(place.dir, { recursive: true });
  let kubelet: Kubelet | undefined;
  try {
    kubelet = await startKubelet({
      core: env.core, kubeconfig: env.controlPlane.kubeconfig, criEndpoint: env.containerd.endpoint,
      clientCaFile: env.controlPlane.ca.cert, clientCert: env.controlPlane.apiserverKubeletClient, nodeName: KUBELET_NODE, dir: place.dir, ...config,
    });
    setup.args = kubelet.args;
    setup.config = kubelet.config;
    await sleep(2000);
    return await body(kubelet);
  } catch (err) {
    if (kubelet === undefined) setup.error = String(err);
    throw err;
  } finally {
    await forceDeleteRun(env.core, place.prefix).catch((err: unknown) => log(`force delete ${place.prefix}: ${String(err)}`));
    await kubelet?.stop(() => emptyRuntime(env.cri));
  }
}

export async function runKubelet(n: number, env: Env, setup: KubeletSetup): Promise<RunResult> {
  const place = { dir: join(env.dir, `kubelet-n${n}`), prefix: `kl-n${n}` };
  return withKubelet(env, place, setup, async (kubelet) => {
    const pids = kubelet.pid === undefined ? {} : { [kubelet.pid]: "kubelet" };
    const { result } = await measured("kubelet", n, env, { pids, criCalls: kubelet.criCalls }, () =>
      podBurst({ core: env.core, kc: env.kc, nodeName: KUBELET_NODE, image: env.containerd.busyboxImage, n, prefix: place.prefix, timeoutMs: timeoutFor(n), signal: env.signal }),
    );
    return result;
  });
}

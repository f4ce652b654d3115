// natslet as the benchmark runs it, and its own overhead per pod.
//
// Overhead = a pod's end-to-end startup minus the time it spent inside CRI work. The CRI time
// comes from the runtime-adapter's debug line per request ({"method","pod_uid","ms","time"}:
// `time` is when the handler finished, `ms` how long it ran), so each request is an interval
// [time - ms, time]. Per pod, the union of its intervals within [create sent, Running seen]
// is CRI time; the rest is everything else natslet (and the API server) did: watch, bus hops,
// decisions, status writes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NATSLET_SERVICES, startNatslet, type Natslet, type NatsletService } from "@natslet/testkit";
import { fetchText, NATSLET_CRI_HISTOGRAM, parseEventLoopLag, parseHistogram, type CriCalls, type EventLoopLag } from "./metrics.js";
import type { PodTimes } from "./pods.js";
import { coveredMs, distribution, type Distribution, type Interval } from "./stats.js";

export interface NatsletAgent {
  /** pid → service name, for the /proc sampler. */
  pids(): Record<number, string>;
  readonly adapterLog: string;
  /** The runtime-adapter's CRI call histogram, cumulative. */
  readonly criCalls: () => Promise<CriCalls>;
  /** Each service's event-loop delay since the last call (the first call only resets it). */
  readonly eventLoopLag: () => Promise<Record<string, EventLoopLag>>;
  stop(): Promise<void>;
}

export async function startNatsletAgent(opts: {
  natsUrl: string;
  kubeconfig: string;
  criEndpoint: string;
  nodeName: string;
  dir: string;
  /** Settings for every service (e.g. NATSLET_IMAGE_PULL_PARALLELISM); LOG_LEVEL is the benchmark's. */
  env?: Record<string, string>;
}): Promise<NatsletAgent> {
  const common = { natsUrl: opts.natsUrl, kubeconfig: opts.kubeconfig, criEndpoint: opts.criEndpoint, nodeName: opts.nodeName, dir: opts.dir };
  // Only the runtime-adapter logs at debug (its per-request timing lines are the CRI-time
  // source); the other services log at info, as they would in production.
  const adapter = await startNatslet({ ...common, services: ["runtime-adapter"], env: { ...opts.env, LOG_LEVEL: "debug" } });
  const others = NATSLET_SERVICES.filter((s) => s !== "runtime-adapter");
  let rest: Natslet;
  try {
    rest = await startNatslet({ ...common, services: others, env: { ...opts.env, LOG_LEVEL: "info" } });
  } catch (err) {
    await adapter.stop();
    throw err;
  }
  const services: [Natslet, NatsletService][] = [[adapter, "runtime-adapter"], ...others.map((name): [Natslet, NatsletService] => [rest, name])];
  return {
    adapterLog: join(opts.dir, "runtime-adapter.log"),
    eventLoopLag: async () => {
      const out: Record<string, EventLoopLag> = {};
      for (const [n, name] of services) out[name] = parseEventLoopLag(await fetchText(`http://127.0.0.1:${n.healthPort(name)}/metrics`));
      return out;
    },
    criCalls: async () =>
      parseHistogram(await fetchText(`http://127.0.0.1:${adapter.healthPort("runtime-adapter")}/metrics`), NATSLET_CRI_HISTOGRAM),
    pids() {
      const found: Record<number, string> = {};
      for (const [n, name] of services) {
        const pid = n.process(name).pid;
        if (pid !== undefined) found[pid] = name;
      }
      return found;
    },
    async stop() {
      // The producers of work stop before the one that does it.
      await rest.stop();
      await adapter.stop();
    },
  };
}

export interface Overhead {
  /** end-to-end − CRI time, per pod. */
  overhead: Distribution;
  /** Time inside runtime-adapter requests for the pod (union), per pod. */
  cri: Distribution;
  /**
   * Where the overhead is, per pod: create sent → first runtime request (API server, watch,
   * watcher, pod stream, sync-loop); gaps between requests (sync-loop and bus round trips);
   * last request done → Running seen (status stream, status-manager, API server, watch).
   */
  beforeFirstRequest: Distribution;
  betweenRequests: Distribution;
  afterLastRequest: Distribution;
  /** Requests per pod during startup, by method (summed over all pods). */
  requests: Record<string, number>;
}

interface AdapterLine {
  msg?: unknown;
  method?: unknown;
  pod_uid?: unknown;
  ms?: unknown;
  time?: unknown;
}

export function natsletOverhead(adapterLog: string, pods: readonly PodTimes[]): Overhead {
  const byUid = new Map<string, { method: string; interval: Interval }[]>();
  for (const line of readFileSync(adapterLog, "utf8").split("\n")) {
    if (!line.includes('"pod_uid"') || !line.includes('"ms"')) continue;
    let parsed: AdapterLine;
    try {
      parsed = JSON.parse(line) as AdapterLine;
    } catch {
      continue;
    }
    const { method, pod_uid: uid, ms, time } = parsed;
    if (typeof method !== "string" || typeof uid !== "string" || typeof ms !== "number" || typeof time !== "string") continue;
    const end = Date.parse(time);
    const list = byUid.get(uid) ?? [];
    list.push({ method, interval: [end - ms, end] });
    byUid.set(uid, list);
  }
  const overheads: number[] = [];
  const cris: number[] = [];
  const before: number[] = [];
  const between: number[] = [];
  const after: number[] = [];
  const requests: Record<string, number> = {};
  for (const pod of pods) {
    const calls = (byUid.get(pod.uid) ?? []).filter(({ interval: [s] }) => s >= pod.createSent && s < pod.running);
    for (const c of calls) requests[c.method] = (requests[c.method] ?? 0) + 1;
    const cri = coveredMs(calls.map((c) => c.interval), pod.createSent, pod.running);
    const overhead = pod.running - pod.createSent - cri;
    const first = Math.min(...calls.map((c) => c.interval[0]));
    const last = Math.min(pod.running, Math.max(...calls.map((c) => c.interval[1])));
    cris.push(cri);
    overheads.push(overhead);
    if (calls.length > 0) {
      before.push(first - pod.createSent);
      after.push(pod.running - last);
      between.push(overhead - (first - pod.createSent) - (pod.running - last));
    }
  }
  for (const method of Object.keys(requests)) requests[method] = Math.round(((requests[method] ?? 0) / pods.length) * 100) / 100;
  return {
    overhead: distribution(overheads),
    cri: distribution(cris),
    beforeFirstRequest: distribution(before),
    betweenRequests: distribution(between),
    afterLastRequest: distribution(after),
    requests,
  };
}

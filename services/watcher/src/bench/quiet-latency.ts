// Measures how late pod changes reach the pod stream on a quiet node — a node where nothing
// happened for longer than client-node's 30 s watch timeout. Not a test: it prints numbers.
//
//   node services/watcher/dist/bench/quiet-latency.js [--quiet-seconds 45] [--rounds 3] [--pods 5]
//
// Starts nats-server and etcd + kube-apiserver (testkit), runs the watcher in this process and,
// for comparison, client-node's informer on the same pods. Each round waits `quiet-seconds`
// without any change, then creates `pods` pods one at a time, each after the previous one
// arrived. Latency: from the create call returning to the pod's message arriving in the
// stream (watcher) or the informer's "add" callback. The two run in one process, so their
// numbers share one clock and one event loop.
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, KubeConfig, ListWatch, Watch, type V1Pod } from "@kubernetes/client-node";
import { connectBus } from "@natslet/bus";
import { TestPods } from "@natslet/kube/testing";
import { createLogger } from "@natslet/telemetry";
import { startControlPlane, startNats } from "@natslet/testkit";
import { Registry } from "prom-client";
import { startWatcher } from "../service.js";
import { PodStreamObserver } from "../testing/pod-stream.js";

const { values } = parseArgs({
  options: {
    "quiet-seconds": { type: "string", default: "45" },
    rounds: { type: "string", default: "3" },
    pods: { type: "string", default: "5" },
  },
});
const quietSeconds = Number(values["quiet-seconds"]);
const rounds = Number(values.rounds);
const podsPerRound = Number(values.pods);
const node = "bench-node";

const [nats, cp] = await Promise.all([startNats(), startControlPlane()]);
const nc = await connectBus({ servers: nats.url, name: "quiet-latency" });
const kc = new KubeConfig();
kc.loadFromFile(cp.kubeconfig);
const log = createLogger({ service: "watcher", node, level: process.env["LOG_LEVEL"] ?? "warn" });
const registry = new Registry();

try {
  const watcher = await startWatcher({ nodeName: node, kubeConfig: kc, tombstoneTtl: "1h" }, { nc, log, registry });
  const stream = await PodStreamObserver.start(nc, node);
  const informerSeen = startInformer(kc, node);
  await watcher.synced;

  const pods = new TestPods(kc);
  const viaWatcher: number[] = [];
  const viaInformer: number[] = [];
  const firstAfterQuiet: Array<{ watcher: number; informer: number }> = [];
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`round ${round}/${rounds}: ${quietSeconds} s without changes...\n`);
    await sleep(quietSeconds * 1000);
    for (let i = 0; i < podsPerRound; i++) {
      const pod = await pods.create(node, "quiet");
      const returned = performance.now();
      await stream.until(`pod ${pod.name} in the stream`, () => stream.latest.has(pod.uid), 120_000);
      const informerAt = await waitFor(() => informerSeen.get(pod.uid), 120_000);
      const w = (stream.latest.get(pod.uid)?.at ?? Number.NaN) - returned;
      const inf = informerAt - returned;
      viaWatcher.push(w);
      viaInformer.push(inf);
      if (i === 0) firstAfterQuiet.push({ watcher: w, informer: inf });
      process.stderr.write(`  pod ${i + 1}: watcher ${w.toFixed(1)} ms, informer ${inf.toFixed(1)} ms\n`);
    }
  }

  const restarts = await registry.getSingleMetric("natslet_watcher_watch_restarts_total")?.get();
  const relists = await registry.getSingleMetric("natslet_watcher_relists_total")?.get();
  console.log(`\nquiet-node latency: create call returned → pod arrived (ms); ${rounds} rounds of ${quietSeconds} s quiet, ${podsPerRound} pods each`);
  console.log(row("", "n", "p50", "p90", "max"));
  console.log(row("watcher → stream", ...stats(viaWatcher)));
  console.log(row("  first after quiet", ...stats(firstAfterQuiet.map((f) => f.watcher))));
  console.log(row("client-node informer", ...stats(viaInformer)));
  console.log(row("  first after quiet", ...stats(firstAfterQuiet.map((f) => f.informer))));
  console.log(`watcher watch ends: ${JSON.stringify(restarts?.values.map((v) => [v.labels["end"], v.value]))}, ` +
    `lists: ${JSON.stringify(relists?.values.map((v) => [v.labels["reason"], v.value]))}`);

  await stream.stop();
  await watcher.stop();
  await informerSeen.stop();
} finally {
  await nc.close();
  await Promise.all([nats.stop(), cp.stop()]);
}

/** client-node's informer on the same pods (a ListWatch: makeInformer takes no field selector). */
function startInformer(kc: KubeConfig, nodeName: string): Map<string, number> & { stop(): Promise<void> } {
  const seen = new Map<string, number>();
  const core = kc.makeApiClient(CoreV1Api);
  const fieldSelector = `spec.nodeName=${nodeName}`;
  const informer = new ListWatch<V1Pod>("/api/v1/pods", new Watch(kc), () => core.listPodForAllNamespaces({ fieldSelector }), false, undefined, fieldSelector);
  informer.on("add", (pod) => {
    if (pod.metadata?.uid) seen.set(pod.metadata.uid, performance.now());
  });
  let stopped = false;
  // The informer stops on any error but 410; restart it, as a real user would have to.
  informer.on("error", (err: unknown) => {
    if (stopped) return;
    process.stderr.write(`informer error (restarting in 1 s): ${String(err)}\n`);
    setTimeout(() => void informer.start(), 1000);
  });
  void informer.start();
  return Object.assign(seen, {
    stop: () => {
      stopped = true;
      return informer.stop();
    },
  });
}

async function waitFor(get: () => number | undefined, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error("timed out");
    await sleep(1);
  }
}

function stats(samples: readonly number[]): [string, string, string, string] {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return [String(sorted.length), at(0.5).toFixed(1), at(0.9).toFixed(1), (sorted.at(-1) ?? Number.NaN).toFixed(1)];
}

function row(...cells: string[]): string {
  const [label = "", ...rest] = cells;
  return label.padEnd(24) + rest.map((c) => c.padStart(9)).join("");
}

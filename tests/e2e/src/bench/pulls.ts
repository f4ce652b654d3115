// pnpm bench:pulls [--pods 10] [--images 5] [--repeats 3] [--layer-mib 16]
//                  [--only natslet,kubelet-serial,kubelet-parallel] [--keep-logs]
//
// The image-pull benchmark (issue 5: pulls start as soon as a pod is seen, concurrent requests
// for one image share one pull). One environment (nats-server, etcd + kube-apiserver, containerd
// pulling over plain HTTP from a local registry) with K images pushed, each busybox plus one
// random layer. Then, per repeat and per agent — natslet with its default settings, the kubelet
// with serializeImagePulls=true (its default) and =false — from an empty runtime with the K
// images removed from containerd: N pods over the K images created at once (pod i runs image
// i mod K, IfNotPresent), timed to all Running, pulls counted. Prints a markdown table; writes
// tests/e2e/bench-results/pulls-<timestamp>.json. Cleans up everything, also on failure/Ctrl-C.
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { busyboxImage, makeTempDir, removeDir, startRegistry, unmountBelow } from "@natslet/testkit";
import { Cleanup, interruptOnSignals, log, parseList, positiveInt, startEnv, writeResults } from "./env.js";
import { PULL_AGENTS, removeImages, runPulls, type PullAgent, type PullRunResult } from "./pull-runs.js";
import { runLines, summarize, summaryTable } from "./pulls-report.js";
import { KUBELET_NODE, type KubeletSetup } from "./runs.js";
import { emptyRuntime } from "./runtime.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pods: { type: "string", default: "10" },
      images: { type: "string", default: "5" },
      repeats: { type: "string", default: "3" },
      "layer-mib": { type: "string", default: "16" },
      only: { type: "string", default: PULL_AGENTS.join(",") },
      "keep-logs": { type: "boolean", default: false },
    },
  });
  const n = positiveInt(values.pods, "pods");
  const k = positiveInt(values.images, "images");
  const repeats = positiveInt(values.repeats, "repeats");
  const layerMib = positiveInt(values["layer-mib"], "layer-mib");
  const only = parseList<PullAgent>(values.only, PULL_AGENTS, "only");
  const agents = PULL_AGENTS.filter((a) => only.includes(a));
  const startedAt = new Date();
  const loadAtStart = loadavg();
  log(`${n} pods over ${k} images of +${layerMib} MiB, ${repeats} repeats, agents ${agents.join(",")}; load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}`);

  const cleanup = new Cleanup();
  const signal = interruptOnSignals(cleanup);
  const results: PullRunResult[] = [];
  const kubeletSetup: KubeletSetup = {};
  const images: { ref: string; bytes: number }[] = [];
  try {
    const dir = makeTempDir("bench-pulls");
    cleanup.add("temp dir", async () => {
      await unmountBelow(dir); // a kubelet that never got to stop() leaves its root dir mounted
      if (values["keep-logs"]) log(`logs kept in ${dir}`);
      else await removeDir(dir);
    });
    const [env, registry] = await Promise.all([
      startEnv(dir, cleanup, signal),
      startRegistry().then((r) => (cleanup.add("registry", () => r.stop()), r)),
    ]);
    env.containerd.allowPlainHttpRegistry(registry.host);
    cleanup.add("runtime", () => emptyRuntime(env.cri));
    const busybox = await busyboxImage();
    for (let i = 0; i < k; i++) {
      const { ref, bytes } = await registry.push(busybox, `bench/pull-${i}`, "1", { randomLayerBytes: layerMib * 2 ** 20 });
      images.push({ ref, bytes });
    }
    const scenario = { n, images: images.map((i) => i.ref), registry };
    // Repeats outermost, agents interleaved: a drift of the machine over the benchmark's minutes
    // spreads over all agents instead of landing on one.
    for (let repeat = 1; repeat <= repeats; repeat++) {
      for (const agent of agents) {
        if (signal.aborted) break;
        await emptyRuntime(env.cri);
        await removeImages(env.cri, scenario.images);
        await sleep(3000); // let the last run's tail (shims exiting, GC) settle
        log(`${agent} #${repeat}: starting (load ${loadavg()[0]?.toFixed(2) ?? "?"})`);
        try {
          const r = await runPulls(agent, repeat, env, scenario, kubeletSetup);
          results.push(r);
        } catch (err) {
          results.push({ agent, repeat, error: err instanceof Error ? err.message : String(err) });
        }
        log(runLines(results.slice(-1))[0] ?? "");
      }
    }
    await removeImages(env.cri, scenario.images);
  } finally {
    await cleanup.run();
  }

  const summary = summarize(results);
  process.stdout.write(`${[`## ${n} pods, ${k} images (+${layerMib} MiB random layer each), ${repeats} repeats`, summaryTable(summary), "", "## Runs", ...runLines(results).map((l) => `- ${l}`)].join("\n")}\n`);
  writeResults(
    "pulls",
    {
      benchmark: "image pulls",
      command: `pnpm bench:pulls --pods ${n} --images ${k} --repeats ${repeats} --layer-mib ${layerMib} --only ${agents.join(",")}`,
      startedAt,
      loadAverageAtStart: loadAtStart,
    },
    {
      scenario: { pods: n, images: images.map((i) => ({ ref: i.ref.replace(/^[^/]+\//, "<registry>/"), bytes: i.bytes })), imagePullPolicy: "IfNotPresent" },
      natslet: { settings: "defaults (NATSLET_IMAGE_PULL_PARALLELISM=3, NATSLET_IMAGE_EAGER_PULLS=true)" },
      kubelet: { node: KUBELET_NODE, ...kubeletSetup },
      summary,
      results,
    },
    { signal, failed: results.some((r) => r.error !== undefined) },
  );
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});

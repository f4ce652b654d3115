// pnpm bench:startup [--sizes 10,50,100] [--only floor,natslet,kubelet] [--keep-logs]
//
// The pod-startup benchmark: one environment (nats-server, etcd + kube-apiserver, containerd),
// then for each N the direct-CRI floor, natslet and the real kubelet, each from an empty runtime
// and each alone on the machine (runs.ts). Prints markdown tables; writes the results as JSON to
// tests/e2e/bench-results/startup-<timestamp>.json. Cleans up everything, also on failure/Ctrl-C.
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { makeTempDir, removeDir, unmountBelow } from "@natslet/testkit";
import { Cleanup, interruptOnSignals, log, parseList, startEnv, writeResults } from "./env.js";
import { AGENTS, details, ratios, ratiosTable, resultsTable, targets, type Agent, type RunResult } from "./report.js";
import { KUBELET_NODE, runFloor, runKubelet, runNatslet, type Env, type KubeletSetup } from "./runs.js";
import { emptyRuntime } from "./runtime.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "10,50,100" },
      only: { type: "string", default: AGENTS.join(",") },
      // Keep the temp dir: every service's log, the kubelet's log and config, for a closer look.
      "keep-logs": { type: "boolean", default: false },
    },
  });
  const sizes = parseList(values.sizes, undefined, "sizes").map(Number);
  const only = parseList<Agent>(values.only, AGENTS, "only");
  const agents = AGENTS.filter((a) => only.includes(a)); // always floor, natslet, kubelet order
  const startedAt = new Date();
  const loadAtStart = loadavg();
  log(`sizes ${sizes.join(",")}, agents ${agents.join(",")}; load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}`);

  const cleanup = new Cleanup();
  const signal = interruptOnSignals(cleanup);
  const results: RunResult[] = [];
  const kubeletSetup: KubeletSetup = {};
  try {
    const dir = makeTempDir("bench");
    cleanup.add("temp dir", async () => {
      await unmountBelow(dir); // a kubelet that never got to stop() leaves its root dir mounted
      if (values["keep-logs"]) log(`logs kept in ${dir}`);
      else await removeDir(dir);
    });
    const env = await startEnv(dir, cleanup, signal);
    cleanup.add("runtime", () => emptyRuntime(env.cri));
    for (const n of sizes) {
      for (const agent of agents) {
        if (signal.aborted) break;
        await emptyRuntime(env.cri);
        await sleep(3000); // let the last run's tail (shims exiting, GC) settle
        log(`N=${n} ${agent}: starting (load ${loadavg()[0]?.toFixed(2) ?? "?"})`);
        try {
          const run = agent === "floor" ? runFloor : agent === "natslet" ? runNatslet : (m: number, e: Env) => runKubelet(m, e, kubeletSetup);
          const r = await run(n, env);
          results.push(r);
          log(`N=${n} ${agent}: all Running ${((r.allRunningMs ?? 0) / 1000).toFixed(2)} s, all gone ${((r.allGoneMs ?? 0) / 1000).toFixed(2)} s`);
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          results.push({ agent, n, error });
          log(`N=${n} ${agent}: FAILED: ${error}`);
        }
      }
    }
  } finally {
    await cleanup.run();
  }

  const rows = ratios(results);
  const output = [
    "## Results",
    resultsTable(results),
    "",
    "## Ratios",
    ratiosTable(rows),
    "",
    "## Targets (natslet)",
    ...targets(results).map((t) => `- ${t}`),
    "",
    "## Details",
    ...details(results).map((t) => `- ${t}`),
  ].join("\n");
  process.stdout.write(`${output}\n`);

  writeResults(
    "startup",
    {
      benchmark: "pod startup",
      command: `pnpm bench:startup --sizes ${sizes.join(",")} --only ${agents.join(",")}`,
      startedAt,
      loadAverageAtStart: loadAtStart,
    },
    { kubelet: { node: KUBELET_NODE, ...kubeletSetup }, results, ratios: rows, targets: targets(results) },
    { signal, failed: results.some((r) => r.error !== undefined) },
  );
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});

// pnpm bench:startup [--sizes 10,50,100] [--only floor,natslet,kubelet] [--keep-logs]
//
// The pod-startup benchmark: one environment (nats-server, etcd + kube-apiserver, containerd),
// then for each N the direct-CRI floor, natslet and the real kubelet, each from an empty runtime
// and each alone on the machine (runs.ts). Prints markdown tables; writes the results as JSON to
// tests/e2e/bench-results/startup-<timestamp>.json. Cleans up everything, also on failure/Ctrl-C.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CoreV1Api } from "@kubernetes/client-node";
import { CriClient } from "@natslet/cri";
import { makeTempDir, removeDir, repoRoot, startContainerd, startControlPlane, startNats } from "@natslet/testkit";
import { unmountBelow } from "./kubelet.js";
import { KeepAliveKubeConfig } from "@natslet/kube";
import { processesMentioning } from "./proc.js";
import { AGENTS, details, ratios, ratiosTable, resultsTable, targets, type Agent, type RunResult } from "./report.js";
import { KUBELET_NODE, runFloor, runKubelet, runNatslet, type Env, type KubeletSetup } from "./runs.js";
import { emptyRuntime } from "./runtime.js";

/** Cleanup steps, run newest first, once, on success, failure or a signal. */
class Cleanup {
  readonly #steps: { name: string; fn: () => Promise<unknown> }[] = [];
  #running: Promise<void> | undefined;

  add(name: string, fn: () => Promise<unknown>): void {
    this.#steps.push({ name, fn });
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const { name, fn } of this.#steps.reverse()) {
        await fn().catch((err: unknown) => log(`cleanup ${name} failed: ${String(err)}`));
      }
    })();
    return this.#running;
  }
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function parseList<T extends string>(text: string, allowed: readonly T[] | undefined, what: string): T[] {
  const items = text.split(",").map((v) => v.trim()).filter(Boolean);
  for (const item of items) {
    if (allowed ? !(allowed as readonly string[]).includes(item) : !/^[1-9]\d*$/.test(item)) {
      throw new Error(`--${what}: "${item}" is not one of ${allowed ? allowed.join(", ") : "positive integers"}`);
    }
  }
  return items as T[];
}

function machine(): Record<string, string | number> {
  const cmd = (c: string, args: string[]) => {
    try {
      return execFileSync(c, args, { encoding: "utf8" }).trim().split("\n")[0] ?? "";
    } catch {
      return "unknown";
    }
  };
  const dirty = cmd("git", ["-C", repoRoot, "status", "--porcelain"]) === "" ? "" : " (with uncommitted changes)";
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    cgroupFs: cmd("stat", ["-fc", "%T", "/sys/fs/cgroup"]),
    containerd: cmd("containerd", ["--version"]),
    runc: cmd("runc", ["--version"]),
    node: process.version,
    natsletCommit: cmd("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"]) + dirty,
  };
}

async function startEnv(dir: string, cleanup: Cleanup, signal: AbortSignal): Promise<Env> {
  // allSettled: if one fails, the other still has to be stopped.
  const [natsResult, cpResult] = await Promise.allSettled([startNats(), startControlPlane()]);
  if (natsResult.status === "fulfilled") cleanup.add("nats", () => natsResult.value.stop());
  if (cpResult.status === "fulfilled") cleanup.add("control plane", () => cpResult.value.stop());
  if (natsResult.status === "rejected") throw natsResult.reason;
  if (cpResult.status === "rejected") throw cpResult.reason;
  const nats = natsResult.value;
  const controlPlane = cpResult.value;
  const containerd = await startContainerd();
  cleanup.add("containerd", () => containerd.stop());
  const cri = await CriClient.connect(containerd.endpoint);
  cleanup.add("cri client", () => Promise.resolve(cri.close()));
  const kc = new KeepAliveKubeConfig();
  kc.loadFromFile(controlPlane.kubeconfig);
  const pid = (p: number | undefined, name: string): Record<number, string> => (p === undefined ? {} : { [p]: name });
  return {
    dir,
    nats,
    controlPlane,
    containerd,
    cri,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    signal,
    context: {
      containerd: pid(containerd.process.pid, "containerd"),
      nats: pid(nats.process.pid, "nats-server"),
      // etcd and kube-apiserver both name the control plane's dir on their command line.
      controlPlane: processesMentioning(controlPlane.dir),
    },
  };
}

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
  // The first signal interrupts the run in progress, whose own cleanup (pods, the agent and
  // what it left on the host) runs before the environment's; a second one skips to the latter.
  const shutdown = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (!shutdown.signal.aborted) {
        log(`${signal}: interrupting the run, then cleaning up (again to hurry)`);
        shutdown.abort();
        return;
      }
      void cleanup.run().then(() => process.exit(130));
    });
  }
  const results: RunResult[] = [];
  const kubeletSetup: KubeletSetup = {};
  try {
    const dir = makeTempDir("bench");
    cleanup.add("temp dir", async () => {
      await unmountBelow(dir); // a kubelet that never got to stop() leaves its root dir mounted
      if (values["keep-logs"]) log(`logs kept in ${dir}`);
      else await removeDir(dir);
    });
    const env = await startEnv(dir, cleanup, shutdown.signal);
    cleanup.add("runtime", () => emptyRuntime(env.cri));
    for (const n of sizes) {
      for (const agent of agents) {
        if (shutdown.signal.aborted) break;
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

  if (shutdown.signal.aborted) {
    log("interrupted: no results file written");
    process.exitCode = 130;
    return;
  }
  const outDir = join(repoRoot, "tests", "e2e", "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `startup-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  const json = {
    benchmark: "pod startup",
    command: `pnpm bench:startup --sizes ${sizes.join(",")} --only ${agents.join(",")}`,
    startedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg(),
    machine: machine(),
    kubelet: { node: KUBELET_NODE, ...kubeletSetup },
    results,
    ratios: rows,
    targets: targets(results),
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  log(`results written to ${file}`);
  if (results.some((r) => r.error !== undefined)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});

// What every benchmark script shares: one environment (nats-server, etcd + kube-apiserver,
// containerd) started from @natslet/testkit, the cleanup that removes it (also on failure and
// on Ctrl-C), argument parsing, the machine description and the results file.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { CriClient } from "@natslet/cri";
import { KeepAliveKubeConfig } from "@natslet/kube";
import { repoRoot, startContainerd, startControlPlane, startNats } from "@natslet/testkit";
import { processesMentioning } from "./proc.js";
import type { Env } from "./runs.js";

/** Cleanup steps, run newest first, once, on success, failure or a signal. */
export class Cleanup {
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

export function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/**
 * The first SIGINT/SIGTERM aborts the returned signal: the run in progress stops waiting and its
 * own cleanup (pods, the agent and what it left on the host) runs before the environment's; a
 * second one skips to the latter.
 */
export function interruptOnSignals(cleanup: Cleanup): AbortSignal {
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
  return shutdown.signal;
}

export function parseList<T extends string>(text: string, allowed: readonly T[] | undefined, what: string): T[] {
  const items = text.split(",").map((v) => v.trim()).filter(Boolean);
  for (const item of items) {
    if (allowed ? !(allowed as readonly string[]).includes(item) : !/^[1-9]\d*$/.test(item)) {
      throw new Error(`--${what}: "${item}" is not one of ${allowed ? allowed.join(", ") : "positive integers"}`);
    }
  }
  return items as T[];
}

export function positiveInt(text: string, what: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new Error(`--${what}: "${text}" is not a positive integer`);
  return Number(text);
}

export function machine(): Record<string, string | number> {
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

export async function startEnv(dir: string, cleanup: Cleanup, signal: AbortSignal): Promise<Env> {
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

/**
 * Writes a benchmark's results to tests/e2e/bench-results/<prefix>-<start time>.json, with what
 * every results file carries (command, timing, load, machine) first. An interrupted run writes
 * nothing. Sets a failing exit code when a run failed.
 */
export function writeResults(
  prefix: string,
  head: { benchmark: string; command: string; startedAt: Date; loadAverageAtStart: number[] },
  body: Record<string, unknown>,
  opts: { signal: AbortSignal; failed: boolean },
): void {
  if (opts.signal.aborted) {
    log("interrupted: no results file written");
    process.exitCode = 130;
    return;
  }
  const outDir = join(repoRoot, "tests", "e2e", "bench-results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${prefix}-${head.startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  const json = {
    benchmark: head.benchmark,
    command: head.command,
    startedAt: head.startedAt.toISOString(),
    durationS: Math.round((Date.now() - head.startedAt.getTime()) / 1000),
    loadAverageAtStart: head.loadAverageAtStart,
    loadAverageAtEnd: loadavg(),
    machine: machine(),
    ...body,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  log(`results written to ${file}`);
  if (opts.failed) process.exitCode = 1;
}

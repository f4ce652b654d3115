// pnpm bench:locks [--iterations 2000] [--concurrency 1,10]
//
// What scaling costs a sync-loop or status-manager pass: the per-pod lock (packages/bus
// Replicas) taken and released around every pass, against a real nats-server with JetStream on
// this machine. Two replicas of one group (so the member list is real), keys owned by the
// measuring replica; sequential and with concurrent passes. Prints a markdown table; writes
// tests/e2e/bench-results/locks-<timestamp>.json.
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectBus, Replicas } from "@natslet/bus";
import { startNats } from "@natslet/testkit";
import { Cleanup, interruptOnSignals, log, positiveInt, writeResults } from "./env.js";
import { distribution } from "./stats.js";

const quiet = { info: () => undefined, warn: () => undefined };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { iterations: { type: "string", default: "2000" }, concurrency: { type: "string", default: "1,10" } },
  });
  const iterations = positiveInt(values.iterations, "iterations");
  const levels = values.concurrency.split(",").map((c) => positiveInt(c, "concurrency"));
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const cleanup = new Cleanup();
  const signal = interruptOnSignals(cleanup);
  const rows: Array<{ concurrency: number; cycles: number; p50Ms: number; p99Ms: number; maxMs: number; cyclesPerS: number }> = [];
  let failed = false;
  try {
    const nats = await startNats();
    cleanup.add("nats-server", () => nats.stop());
    const connect = async (name: string): Promise<NatsConnection> => {
      const nc = await connectBus({ servers: nats.url, name });
      cleanup.add(name, () => nc.close());
      return nc;
    };
    const join = async (name: string) => {
      const replicas = await Replicas.join(await connect(name), { service: "bench", node: "bench-node", log: quiet, onMembersChanged: () => undefined });
      cleanup.add(`${name} replicas`, () => replicas.stop());
      return replicas;
    };
    const measuring = await join("replica-a");
    await join("replica-b");
    const owned = (): string => {
      for (;;) {
        const key = randomUUID();
        if (measuring.owns(key)) return key;
      }
    };
    for (const concurrency of levels) {
      const samples: number[] = [];
      const started = performance.now();
      const worker = async () => {
        while (samples.length < iterations && !signal.aborted) {
          const key = owned();
          const t0 = performance.now();
          const lock = await measuring.lock(key);
          if (!lock) throw new Error(`lock of an owned, free key ${key} refused`);
          await lock.release();
          samples.push(performance.now() - t0);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (performance.now() - started) / 1000;
      const d = distribution(samples);
      rows.push({ concurrency, cycles: samples.length, ...d, cyclesPerS: Math.round(samples.length / seconds) });
      log(`concurrency ${concurrency}: ${samples.length} lock+release cycles, p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms`);
    }
    console.log("| concurrent passes | cycles | lock+release p50 ms | p99 ms | max ms | cycles/s |");
    console.log("|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      console.log(`| ${r.concurrency} | ${r.cycles} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.maxMs.toFixed(2)} | ${r.cyclesPerS} |`);
    }
  } catch (err) {
    failed = true;
    log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await cleanup.run();
  }
  writeResults(
    "locks",
    { benchmark: "locks", command: `pnpm bench:locks ${process.argv.slice(2).join(" ")}`.trim(), startedAt, loadAverageAtStart: loadAtStart },
    { iterations, results: rows },
    { signal, failed },
  );
}

await main();

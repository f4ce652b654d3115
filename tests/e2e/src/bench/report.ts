// Results: what one run measured, the tables printed (markdown, so BENCHMARKS.md can quote
// them as they are), and the ratios between agents.
import type { CriCalls, EventLoopLag } from "./metrics.js";
import type { Overhead } from "./natslet.js";
import type { GroupUsage } from "./proc.js";
import { ratio, type Distribution } from "./stats.js";

export const AGENTS = ["floor", "natslet", "kubelet"] as const;
export type Agent = (typeof AGENTS)[number];

export interface RunResult {
  agent: Agent;
  n: number;
  error?: string;
  /** Per pod: create sent (floor: fired) → Running seen (floor: StartContainer returned). */
  startup?: Distribution;
  allRunningMs?: number;
  /** Per pod: delete sent → deletion seen (floor: RemovePodSandbox returned). */
  removal?: Distribution;
  allGoneMs?: number;
  /** How long the create calls took (API server time, part of startup). */
  createCall?: Distribution;
  overhead?: Overhead;
  /** By group: "agent" (natslet's services / the kubelet), "containerd", "nats", "controlPlane". */
  usage?: Record<string, GroupUsage>;
  /** The agent's CRI calls during the run, by method (its own metrics). */
  criCalls?: CriCalls;
  /** natslet: each service's event-loop delay during the run. */
  eventLoopLag?: Record<string, EventLoopLag>;
  /** Sandboxes still in the runtime once every pod was gone from the API server. */
  leftoverSandboxes?: number;
}

/** The figures compared between agents, and how to read each from a result. */
const FIGURES: { name: string; get: (r: RunResult) => number | undefined; agents: readonly Agent[] }[] = [
  { name: "all Running", get: (r) => r.allRunningMs, agents: AGENTS },
  { name: "startup p50", get: (r) => r.startup?.p50Ms, agents: AGENTS },
  { name: "startup p99", get: (r) => r.startup?.p99Ms, agents: AGENTS },
  { name: "all gone", get: (r) => r.allGoneMs, agents: AGENTS },
  { name: "agent CPU s", get: (r) => r.usage?.["agent"]?.cpuSeconds, agents: ["natslet", "kubelet"] },
  { name: "agent peak RSS", get: (r) => r.usage?.["agent"]?.peakRssMb, agents: ["natslet", "kubelet"] },
];

export interface Ratios {
  n: number;
  figure: string;
  natsletToKubelet?: number;
  natsletToFloor?: number;
  kubeletToFloor?: number;
}

export function ratios(results: readonly RunResult[]): Ratios[] {
  const out: Ratios[] = [];
  for (const n of [...new Set(results.map((r) => r.n))]) {
    const of = (agent: Agent) => results.find((r) => r.n === n && r.agent === agent && r.error === undefined);
    for (const f of FIGURES) {
      const value = (agent: Agent) => {
        const r = of(agent);
        return r && f.agents.includes(agent) ? f.get(r) : undefined;
      };
      const row: Ratios = { n, figure: f.name };
      const nk = ratio(value("natslet"), value("kubelet"));
      const nf = ratio(value("natslet"), value("floor"));
      const kf = ratio(value("kubelet"), value("floor"));
      if (nk !== undefined) row.natsletToKubelet = nk;
      if (nf !== undefined) row.natsletToFloor = nf;
      if (kf !== undefined) row.kubeletToFloor = kf;
      if (nk !== undefined || nf !== undefined || kf !== undefined) out.push(row);
    }
  }
  return out;
}

const s = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "–" : (ms / 1000).toFixed(2));
const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : String(Math.round(v)));
const x = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(2)}×`);

export function resultsTable(results: readonly RunResult[]): string {
  const lines = [
    "| N | agent | all Running s | startup p50 s | startup p99 s | all gone s | removal p99 s | overhead p50 / p99 ms | CRI p50 ms | agent CPU s | agent peak RSS MB | containerd CPU s | API server+etcd CPU s | nats CPU s |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    if (r.error !== undefined) {
      lines.push(`| ${r.n} | ${r.agent} | failed: ${r.error.split("\n")[0]?.slice(0, 160) ?? ""} |||||||||||`);
      continue;
    }
    const u = r.usage ?? {};
    const overhead = r.overhead ? `${ms(r.overhead.overhead.p50Ms)} / ${ms(r.overhead.overhead.p99Ms)}` : "–";
    lines.push(
      `| ${r.n} | ${r.agent} | ${s(r.allRunningMs)} | ${s(r.startup?.p50Ms)} | ${s(r.startup?.p99Ms)} | ${s(r.allGoneMs)} | ${s(r.removal?.p99Ms)} | ${overhead} | ${ms(r.overhead?.cri.p50Ms)} | ${u["agent"]?.cpuSeconds ?? "–"} | ${u["agent"]?.peakRssMb ?? "–"} | ${u["containerd"]?.cpuSeconds ?? "–"} | ${u["controlPlane"]?.cpuSeconds ?? "–"} | ${u["nats"]?.cpuSeconds ?? "–"} |`,
    );
  }
  return lines.join("\n");
}

export function ratiosTable(rows: readonly Ratios[]): string {
  const lines = ["| N | figure | natslet/kubelet | natslet/floor | kubelet/floor |", "|---:|---|---:|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.n} | ${r.figure} | ${x(r.natsletToKubelet)} | ${x(r.natsletToFloor)} | ${x(r.kubeletToFloor)} |`);
  return lines.join("\n");
}

/** The targets, checked against natslet's results. */
export function targets(results: readonly RunResult[]): string[] {
  const natslet = results.filter((r) => r.agent === "natslet" && r.error === undefined);
  const out: string[] = [];
  const hundred = natslet.find((r) => r.n === 100);
  if (hundred) out.push(`100 pods all Running < 30 s: ${s(hundred.allRunningMs)} s → ${(hundred.allRunningMs ?? Infinity) < 30_000 ? "met" : "NOT met"}`);
  for (const r of natslet) {
    out.push(`N=${r.n} startup p99 < 5 s: ${s(r.startup?.p99Ms)} s → ${(r.startup?.p99Ms ?? Infinity) < 5000 ? "met" : "NOT met"}`);
    if (r.overhead) out.push(`N=${r.n} overhead p99 < 20 ms: ${ms(r.overhead.overhead.p99Ms)} ms → ${r.overhead.overhead.p99Ms < 20 ? "met" : "NOT met"}`);
  }
  return out;
}

/** Per run: the agent's CRI calls, and for natslet where its overhead goes. */
export function details(results: readonly RunResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.error !== undefined) continue;
    if (r.criCalls) {
      const calls = Object.entries(r.criCalls).sort((a, b) => b[1].count - a[1].count);
      const total = calls.reduce((sum, [, c]) => sum + c.count, 0);
      const list = calls.map(([m, c]) => `${m} ${c.count} (${c.seconds.toFixed(1)} s)`).join(", ");
      out.push(`N=${r.n} ${r.agent}: ${total} CRI calls (${(total / r.n).toFixed(1)} per pod): ${list}`);
    }
    const o = r.overhead;
    if (o) {
      const d = (x: { p50Ms: number; p99Ms: number }) => `${ms(x.p50Ms)} / ${ms(x.p99Ms)}`;
      const requests = Object.entries(o.requests).map(([m, c]) => `${m} ${c}`).join(", ");
      out.push(
        `N=${r.n} natslet overhead p50 / p99 ms: before first runtime request ${d(o.beforeFirstRequest)}, between requests ${d(o.betweenRequests)}, last request → Running seen ${d(o.afterLastRequest)}; runtime requests per pod: ${requests}`,
      );
    }
    if (r.eventLoopLag) {
      const lags = Object.entries(r.eventLoopLag).map(([name, l]) => `${name} ${l.p99Ms} / ${l.maxMs}`).join(", ");
      out.push(`N=${r.n} natslet event-loop delay p99 / max ms: ${lags}`);
    }
    if (r.leftoverSandboxes !== undefined && r.agent !== "floor") {
      out.push(`N=${r.n} ${r.agent}: ${r.leftoverSandboxes} sandboxes left in the runtime when the last pod was gone from the API server`);
    }
  }
  return out;
}

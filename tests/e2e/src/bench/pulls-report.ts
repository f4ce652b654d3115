// The pull benchmark's summary: per agent, median / min / max over its repeats, as a markdown
// table that BENCHMARKS.md can quote as it is.
import { PULL_AGENTS, type PullAgent, type PullRunResult } from "./pull-runs.js";
import { spread, type Spread } from "./stats.js";

export interface PullSummary {
  agent: PullAgent;
  runs: number;
  failed: number;
  allRunningMs: Spread;
  startupP50Ms: Spread;
  criPulls: Spread;
  manifestRequests: Spread;
  blobGets: Spread;
  agentCpuSeconds: Spread;
}

export function summarize(results: readonly PullRunResult[]): PullSummary[] {
  const out: PullSummary[] = [];
  for (const agent of PULL_AGENTS) {
    const all = results.filter((r) => r.agent === agent);
    if (all.length === 0) continue;
    const ok = all.filter((r) => r.error === undefined);
    const of = (get: (r: PullRunResult) => number | undefined) => spread(ok.map(get).filter((v): v is number => v !== undefined));
    out.push({
      agent,
      runs: ok.length,
      failed: all.length - ok.length,
      allRunningMs: of((r) => r.allRunningMs),
      startupP50Ms: of((r) => r.startup?.p50Ms),
      criPulls: of((r) => r.criPulls),
      manifestRequests: of((r) => r.registry?.manifestRequests),
      blobGets: of((r) => r.registry?.blobGets),
      agentCpuSeconds: of((r) => r.agentCpuSeconds),
    });
  }
  return out;
}

const seconds = (s: Spread) => (Number.isNaN(s.median) ? "–" : `${(s.median / 1000).toFixed(2)} (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`);
const count = (s: Spread) => (Number.isNaN(s.median) ? "–" : s.min === s.max ? String(s.median) : `${s.median} (${s.min}–${s.max})`);
const cpu = (s: Spread) => (Number.isNaN(s.median) ? "–" : `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`);

export function summaryTable(rows: readonly PullSummary[]): string {
  const lines = [
    "| agent | runs | all Running s, median (min–max) | startup p50 s | CRI PullImage calls | registry manifest requests | registry blob GETs | agent CPU s |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const runs = r.failed > 0 ? `${r.runs} (+${r.failed} failed)` : String(r.runs);
    lines.push(`| ${r.agent} | ${runs} | ${seconds(r.allRunningMs)} | ${seconds(r.startupP50Ms)} | ${count(r.criPulls)} | ${count(r.manifestRequests)} | ${count(r.blobGets)} | ${cpu(r.agentCpuSeconds)} |`);
  }
  return lines.join("\n");
}

/** One line per run, failures with their reason. */
export function runLines(results: readonly PullRunResult[]): string[] {
  return results.map((r) =>
    r.error !== undefined
      ? `${r.agent} #${r.repeat}: FAILED: ${r.error.split("\n")[0] ?? ""}`
      : `${r.agent} #${r.repeat}: all Running ${((r.allRunningMs ?? 0) / 1000).toFixed(2)} s, ${r.criPulls ?? "?"} PullImage (${r.criPullSeconds ?? "?"} s summed), registry ${r.registry?.manifestRequests ?? "?"} manifest / ${r.registry?.blobGets ?? "?"} blob requests`,
  );
}

// CPU seconds and peak RSS of groups of processes, read from /proc while a run goes on.
// CPU is the difference of utime+stime between start() and stop() (exact, whatever the
// sampling period); peak RSS is the largest sum of VmRSS over a group at one sample (sampled,
// so a spike shorter than the period can be missed).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

export interface GroupUsage {
  cpuSeconds: number;
  peakRssMb: number;
  /** CPU seconds of each process of the group, by the name it was given. */
  cpuByProcess: Record<string, number>;
}

/** pid → name, per group (e.g. {natslet: {1234: "watcher", ...}, containerd: {...}}). */
export type Groups = Record<string, Record<number, string>>;

interface Reading {
  cpuTicks: number;
  rssKb: number;
}

function read(pid: number): Reading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat(5); here they are at 11 and 12.
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return { cpuTicks, rssKb: rss ? Number(rss[1]) : 0 };
  } catch {
    return undefined; // exited
  }
}

export class ProcSampler {
  readonly #start = new Map<number, number>();
  readonly #peakKb = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly groups: Groups,
    private readonly periodMs = 200,
  ) {}

  start(): void {
    for (const pid of this.#pids()) this.#start.set(pid, read(pid)?.cpuTicks ?? 0);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.periodMs);
  }

  stop(): Record<string, GroupUsage> {
    clearInterval(this.#timer);
    this.#sample();
    const usage: Record<string, GroupUsage> = {};
    for (const [group, members] of Object.entries(this.groups)) {
      const cpuByProcess: Record<string, number> = {};
      let ticks = 0;
      for (const [pidText, name] of Object.entries(members)) {
        const pid = Number(pidText);
        const end = read(pid)?.cpuTicks ?? this.#start.get(pid) ?? 0;
        const used = end - (this.#start.get(pid) ?? 0);
        ticks += used;
        cpuByProcess[name] = round2((cpuByProcess[name] ?? 0) + used / CLOCK_TICKS);
      }
      usage[group] = { cpuSeconds: round2(ticks / CLOCK_TICKS), peakRssMb: round2((this.#peakKb.get(group) ?? 0) / 1024), cpuByProcess };
    }
    return usage;
  }

  #pids(): number[] {
    return Object.values(this.groups).flatMap((members) => Object.keys(members).map(Number));
  }

  #sample(): void {
    for (const [group, members] of Object.entries(this.groups)) {
      let kb = 0;
      for (const pid of Object.keys(members)) kb += read(Number(pid))?.rssKb ?? 0;
      this.#peakKb.set(group, Math.max(this.#peakKb.get(group) ?? 0, kb));
    }
  }
}

/** Processes whose command line contains `needle` (e.g. a control plane's temp dir), by pid → binary name. */
export function processesMentioning(needle: string): Record<number, string> {
  const found: Record<number, string> = {};
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.some((a) => a.includes(needle))) found[Number(entry)] = (argv[0] ?? "?").split("/").pop() ?? "?";
    } catch {
      // exited while we looked
    }
  }
  return found;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

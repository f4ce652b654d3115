// Parsers for the host files the node status is read from. Pure: text in, numbers out.

/** MemTotal and MemAvailable of /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes?: number } {
  const field = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB$`, "m").exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
  };
  const totalBytes = field("MemTotal");
  if (totalBytes === undefined || totalBytes <= 0) throw new Error("no MemTotal in /proc/meminfo");
  const availableBytes = field("MemAvailable");
  return availableBytes === undefined ? { totalBytes } : { totalBytes, availableBytes };
}

/** PRETTY_NAME of /etc/os-release, unquoted; "Linux" when absent (the kubelet's cadvisor fallback). */
export function parseOsRelease(text: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  const raw = m?.[1]?.trim();
  if (raw === undefined || raw === "") return "Linux";
  return raw.replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
}

/** Threads in existence, the 4th field of /proc/loadavg ("0.1 0.2 0.3 2/345 6789" → 345). */
export function parseLoadavgThreads(text: string): number | undefined {
  const m = /^\S+\s+\S+\s+\S+\s+\d+\/(\d+)\s/.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Go's GOARCH for Node's process.arch: the value of kubernetes.io/arch. */
export function goArch(nodeArch: string): string {
  const table: Readonly<Record<string, string>> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
  return table[nodeArch] ?? nodeArch;
}

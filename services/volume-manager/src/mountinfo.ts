// /proc/self/mountinfo, parsed. Pure: the caller reads the file.

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  /** In a shared peer group (optional field `shared:N`): mounts below propagate to its peers. */
  shared: boolean;
}

/** Paths in mountinfo escape space, tab, newline and backslash as octal (\040 ...). */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Lines look like `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.split(" ");
    const dash = fields.indexOf("-");
    const mountPoint = fields[4];
    if (mountPoint === undefined || dash < 0) continue;
    out.push({
      mountPoint: unescapeOctal(mountPoint),
      fsType: fields[dash + 1] ?? "",
      source: unescapeOctal(fields[dash + 2] ?? ""),
      shared: fields.slice(6, dash).some((f) => f.startsWith("shared:")),
    });
  }
  return out;
}

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export function mountsBelow(entries: readonly MountEntry[], dir: string): string[] {
  const prefix = dir.replace(/\/+$/, "");
  const points = entries.map((e) => e.mountPoint).filter((p) => p === prefix || p.startsWith(prefix + "/"));
  return [...new Set(points)].sort((a, b) => b.length - a.length || (a < b ? 1 : -1));
}

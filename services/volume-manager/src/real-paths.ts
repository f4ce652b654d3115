// Real paths: mountinfo and containerd's bind mounts speak real paths (symlinks resolved), so
// every path natslet compares against them or allows must be resolved the same way first.
import { mkdir, realpath } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * The real path of `path`, or of its deepest existing ancestor with the missing rest appended
 * (for a path that does not exist yet: what it would be once created below that ancestor).
 */
export async function realpathLenient(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || dirname(current) === current) throw err;
      missing.push(basename(current));
      current = dirname(current);
    }
  }
}

/** Creates the state root if needed and returns its real path (the only form used from then on). */
export async function resolveRootDir(rootDir: string): Promise<string> {
  await mkdir(rootDir, { recursive: true, mode: 0o755 });
  return realpath(rootDir);
}

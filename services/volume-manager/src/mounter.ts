// Mounts through mount(8)/umount(8): the volume-manager is the only natslet process that mounts.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { mountsBelow, parseMountInfo, type MountEntry } from "./mountinfo.js";

const exec = promisify(execFile);

async function run(cmd: string, args: string[]): Promise<void> {
  try {
    await exec(cmd, args, { timeout: 30_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`${cmd} ${args.join(" ")} failed: ${stderr || (err as Error).message}`, { cause: err });
  }
}

export async function readMounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile("/proc/self/mountinfo", "utf8"));
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await readMounts()).some((m) => m.mountPoint === path);
}

/** A tmpfs at `dir` (memory-backed: secrets and tokens never reach a disk). `sizeBytes` caps it. */
export async function mountTmpfs(dir: string, opts: { sizeBytes?: number | undefined; mode?: number } = {}): Promise<void> {
  const { sizeBytes, mode = 0o755 } = opts;
  const options = [`mode=0${mode.toString(8)}`, ...(sizeBytes !== undefined && sizeBytes > 0 ? [`size=${sizeBytes}`] : [])];
  await run("mount", ["-t", "tmpfs", "-o", options.join(","), "tmpfs", dir]);
}

/**
 * Binds `source` onto `target`. `--no-canonicalize` keeps mount(8) from resolving the source
 * itself: the caller passes /proc/<pid>/fd/<n> of a file it opened safely, and the kernel binds
 * exactly that file (a path swapped meanwhile cannot redirect it).
 */
export async function bindMount(source: string, target: string): Promise<void> {
  await run("mount", ["--no-canonicalize", "--bind", source, target]);
}

/**
 * Makes `path` a shared mount (a bind of itself first if it is not a mount point), so that
 * HostToContainer / Bidirectional propagation work for it: the runtime refuses those for a
 * source on a private mount. The kubelet makes its whole root dir rshared instead; doing it per
 * volume leaves nothing mounted outside pod dirs, and teardown removes it with the volume.
 */
export async function ensureShared(path: string): Promise<void> {
  const layers = (await readMounts()).filter((m) => m.mountPoint === path);
  if (layers.at(-1)?.shared === true) return;
  if (layers.length === 0) await run("mount", ["--bind", path, path]);
  await run("mount", ["--make-rshared", path]);
}

export async function unmount(target: string): Promise<void> {
  await run("umount", [target]);
}

/** Unmounts everything at or below `dir`, deepest first. Returns how many were unmounted. */
export async function unmountAllBelow(dir: string): Promise<number> {
  let count = 0;
  // Stacked mounts on one point show once per layer: repeat until none is left.
  for (let round = 0; round < 10; round++) {
    const points = mountsBelow(await readMounts(), dir);
    if (points.length === 0) return count;
    for (const point of points) {
      await unmount(point).catch(async (err: unknown) => {
        // Busy (a container still holds it): detach lazily so the dir can go; the kernel frees it later.
        await run("umount", ["-l", point]).catch(() => {
          throw err;
        });
      });
      count++;
    }
  }
  return count;
}

/**
 * Removes `path` and everything below it with GNU rm: it walks with openat, never follows a
 * symlink and (--one-file-system) never descends into another mount, so a bind or tmpfs left
 * below (a hostPath subPath bind above all) cannot take the host's files with it. A missing
 * path is fine (-f).
 */
export async function removeTree(path: string): Promise<void> {
  await run("rm", ["-rf", "--one-file-system", "--", path]);
}

// subPath, resolved so that it cannot escape its volume (CVE-2017-1002101: a symlink in the
// volume pointing at the host; CVE-2021-25741: a path swapped to a symlink between check and
// use). The kubelet's approach (subpath_linux.go): resolve, check the result lies in the volume,
// then open every component from the volume root without following symlinks, and bind-mount the
// opened file descriptor (/proc/<pid>/fd/<n>) — the kernel binds what was opened, not a path.
import * as fs from "node:fs";
import { constants } from "node:fs";
import { mkdir, realpath, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { join, relative } from "node:path";
import { bindMount, isMountPoint } from "./mounter.js";
import { isWithin, subPathProblem } from "./paths.js";

/** Linux O_PATH (not in node's constants): a handle to a path without opening the file. */
const O_PATH = 0o10000000;

/** A subPath the pod may not use; the message is the container's waiting message. */
export class SubPathError extends Error {
  override readonly name = "SubPathError";
}

const fsOpen = promisify(fs.open);
const fsClose = promisify(fs.close);
const fsFstat = promisify(fs.fstat);

/**
 * Makes `subPath` of the volume at `volumePath` available at `bindTarget`: creates it as a
 * directory when missing (kubelet does), refuses `..`, absolute paths and any symlink that leads
 * out of the volume, and bind-mounts the safely opened result. Idempotent: an existing bind stays.
 */
export async function bindSubPath(volumePath: string, subPath: string, bindTarget: string): Promise<void> {
  const problem = subPathProblem(subPath);
  if (problem) throw new SubPathError(problem);
  if (await isMountPoint(bindTarget)) return;

  const volumeReal = await realpath(volumePath);
  await makeDirsWithin(volumeReal, subPath);
  let resolved: string;
  try {
    resolved = await realpath(join(volumeReal, subPath));
  } catch (err) {
    throw new SubPathError(`subPath "${subPath}" cannot be resolved: ${(err as Error).message}`);
  }
  if (!isWithin(volumeReal, resolved)) {
    throw new SubPathError(`subpath "${resolved}" not within volume path "${volumeReal}"`);
  }
  const fd = await openWithoutSymlinks(volumeReal, relative(volumeReal, resolved));
  try {
    const st = await fsFstat(fd);
    await mkdir(join(bindTarget, ".."), { recursive: true, mode: 0o750 });
    // The bind target must be of the same kind as the source.
    if (st.isDirectory()) await mkdir(bindTarget, { recursive: true, mode: 0o750 });
    else await writeFile(bindTarget, "", { flag: "a", mode: 0o640 });
    await bindMount(`/proc/${process.pid}/fd/${fd}`, bindTarget);
  } finally {
    await fsClose(fd);
  }
}

/**
 * Creates missing directories of `subPath` below `root`, never through a symlink out of it
 * (kubelet: doSafeMakeDir). The existing part is resolved and checked to lie in the volume;
 * the missing rest is made one component at a time through the descriptor of its parent
 * (mkdir of /proc/self/fd/<parent>/<name>, Node has no mkdirat), each new dir then opened
 * O_NOFOLLOW: a component swapped for a symlink meanwhile fails instead of being followed.
 */
async function makeDirsWithin(root: string, subPath: string): Promise<void> {
  const parts = subPath.split("/").filter((p) => p !== "" && p !== ".");
  // The longest prefix that exists (a dangling symlink counts as existing: mkdir must not follow it).
  let existing = 0;
  while (existing < parts.length && (await lstatOrUndefined(join(root, ...parts.slice(0, existing + 1)))) !== undefined) existing++;
  if (existing === parts.length) return;
  let real: string;
  try {
    real = await realpath(join(root, ...parts.slice(0, existing)));
  } catch (err) {
    throw new SubPathError(`subPath "${subPath}" cannot be resolved: ${(err as Error).message}`);
  }
  if (!isWithin(root, real)) throw new SubPathError(`subpath "${real}" not within volume path "${root}"`);
  let fd = await openWithoutSymlinks(root, relative(root, real));
  try {
    for (const part of parts.slice(existing)) {
      const at = `/proc/self/fd/${fd}/${part}`;
      try {
        await mkdir(at, { mode: 0o750 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new SubPathError(`cannot create subPath component "${part}": ${(err as Error).message}`);
      }
      let child: number;
      try {
        child = await fsOpen(at, O_PATH | constants.O_NOFOLLOW | constants.O_DIRECTORY);
      } catch (err) {
        throw new SubPathError(`subPath component "${part}" is not a directory of the volume: ${(err as Error).message}`);
      }
      await fsClose(fd);
      fd = child;
    }
  } finally {
    await fsClose(fd).catch(() => undefined);
  }
}

function lstatOrUndefined(path: string): Promise<fs.Stats | undefined> {
  return fs.promises.lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw new SubPathError(`subPath component ${path}: ${err.message}`);
  });
}

/**
 * Opens `rel` below `root` one component at a time with O_NOFOLLOW, each relative to the fd of
 * its parent (through /proc/self/fd/<parent>, Node has no openat): a component that is a symlink
 * — e.g. swapped in after the check above — fails the open instead of being followed.
 */
async function openWithoutSymlinks(root: string, rel: string): Promise<number> {
  let fd = await fsOpen(root, O_PATH | constants.O_NOFOLLOW | constants.O_DIRECTORY);
  try {
    for (const part of rel.split("/").filter((p) => p !== "")) {
      const child = await fsOpen(`/proc/self/fd/${fd}/${part}`, O_PATH | constants.O_NOFOLLOW);
      await fsClose(fd);
      fd = child;
      const st = await fsFstat(fd);
      if (st.isSymbolicLink()) throw new SubPathError(`subPath component "${part}" is a symlink (changed while being checked)`);
    }
    return fd;
  } catch (err) {
    await fsClose(fd).catch(() => undefined);
    if (err instanceof SubPathError) throw err;
    throw new SubPathError(`subPath "${rel}" cannot be opened safely: ${(err as Error).message}`);
  }
}

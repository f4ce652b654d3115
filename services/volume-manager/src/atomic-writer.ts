// The kubelet's AtomicWriter: a volume's files change all at once. The payload is written to a
// fresh `..<timestamp>` dir, then the `..data` symlink is swapped to it with one rename; the
// names users see are symlinks `name -> ..data/name`. A reader sees the old or the new version,
// never a mix. Files are compared first, so an unchanged payload writes nothing.
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { removeTree } from "./mounter.js";
import { VolumeSourceError, type Payload } from "./payload.js";

const DATA_DIR = "..data";
const DATA_TMP = "..data_tmp";

/** Writes `payload` into `dir` unless it already holds exactly that. Returns whether it wrote. */
export async function writeAtomically(dir: string, payload: Payload): Promise<boolean> {
  const conflict = payloadConflict(payload);
  if (conflict) throw new VolumeSourceError(conflict, false);
  if (await holds(dir, payload)) return false;
  const version = `..${timestamp()}.${randomBytes(4).toString("hex")}`;
  const versionDir = join(dir, version);
  await mkdir(versionDir, { mode: 0o755 });
  try {
    for (const [path, file] of payload) {
      const target = join(versionDir, path);
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      await writeFile(target, file.content, { mode: file.mode });
      // writeFile's mode is masked by the umask; the requested mode is what the pod asked for.
      await chmod(target, file.mode);
    }
    // The swap: a new symlink, renamed over the old one (rename(2) is atomic).
    await rm(join(dir, DATA_TMP), { force: true });
    await symlink(version, join(dir, DATA_TMP));
    await rename(join(dir, DATA_TMP), join(dir, DATA_DIR));
  } catch (err) {
    // A half-written version must not pile up (a full tmpfs would fail every retry).
    await removeTree(versionDir).catch(() => undefined);
    throw err;
  }

  const wanted = new Set([...payload.keys()].map((p) => p.split("/")[0] ?? p));
  for (const name of wanted) {
    const link = join(dir, name);
    const existing = await lstat(link).catch(() => undefined);
    if (existing === undefined) await symlink(join(DATA_DIR, name), link);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith("..") || wanted.has(name)) continue;
    // A name the new version no longer has: only remove our own symlinks into ..data.
    const target = await readlink(join(dir, name)).catch(() => undefined);
    if (target?.startsWith(`${DATA_DIR}/`)) await rm(join(dir, name), { force: true });
  }
  // Every other version goes: the previous one, and any a crash or failed write left behind.
  for (const name of await readdir(dir)) {
    if (VERSION_DIR.test(name) && name !== version) await removeTree(join(dir, name));
  }
  return true;
}

/** The writer's version dirs: `..<timestamp>.<hex>` (not `..data`, not `..data_tmp`). */
const VERSION_DIR = /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.[0-9a-f]+$/;

/**
 * Why the payload cannot be written, if it cannot: a path that is also a directory of another
 * (`a` and `a/b`) would be a file and a dir at once.
 */
export function payloadConflict(payload: Payload): string | undefined {
  const paths = [...payload.keys()];
  const all = new Set(paths);
  for (const path of paths) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (all.has(dir)) return `conflicting paths: "${dir}" is a file and also the directory of "${path}"`;
    }
  }
  return undefined;
}

/** The version dir `..data` points at, if any. */
async function currentVersion(dir: string): Promise<string | undefined> {
  return readlink(join(dir, DATA_DIR)).catch(() => undefined);
}

/** Whether the current version holds exactly `payload` (same paths, contents and modes). */
async function holds(dir: string, payload: Payload): Promise<boolean> {
  const version = await currentVersion(dir);
  if (version === undefined) return false;
  const root = join(dir, version);
  const files = await listFiles(root).catch(() => undefined);
  if (files === undefined || files.length !== payload.size) return false;
  for (const [path, file] of payload) {
    const full = join(root, path);
    const st = await stat(full).catch(() => undefined);
    if (st === undefined || (st.mode & 0o777) !== file.mode) return false;
    if (!(await readFile(full)).equals(file.content)) return false;
    // The user-visible link must exist too (a crash between swap and links leaves it missing).
    const top = path.split("/")[0] ?? path;
    if ((await lstat(join(dir, top)).catch(() => undefined)) === undefined) return false;
  }
  return true;
}

async function listFiles(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(root, rel)));
    else out.push(rel);
  }
  return out;
}

function timestamp(): string {
  // The kubelet's format: ..2006_01_02_15_04_05.<random>
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}`;
}

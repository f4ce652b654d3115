// Setting up and tearing down the volumes of one pod on this node. Everything here is
// idempotent: Setup of a set-up pod re-checks, rewrites changed ConfigMap/Secret/token payloads
// atomically and returns the same mounts; that is also how live updates happen (a resync).
import { chmod, lstat, mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { volumeSchema, type CriMountMessage, type Pod, type Volume } from "@natslet/contracts";
import { parseBytes, QuantityError, type DownwardContext } from "@natslet/core";
import { writeAtomically } from "./atomic-writer.js";
import { checkHostPathType, type FileKind } from "./hostpath-type.js";
import { ensureShared, isMountPoint, mountTmpfs, readMounts, removeTree, unmountAllBelow } from "./mounter.js";
import { MountPlanError, planMounts } from "./mount-plan.js";
import { mountsBelow } from "./mountinfo.js";
import { hostPathAllowed, podDir, subPathBindDir, UnsafeNameError, volumeDir, volumesDir, type PluginKind } from "./paths.js";
import { volumePayload, volumeReferences, VolumeSourceError } from "./payload.js";
import { realpathLenient } from "./real-paths.js";
import { bindSubPath, SubPathError } from "./safe-subpath.js";
import type { FetchOptions, SourceReader } from "./sources.js";

export type VolumeType = PluginKind | "hostPath";

export type SetupOutcome =
  | { kind: "ready"; mounts: Record<string, CriMountMessage[]>; updated: string[] }
  | { kind: "failed"; volume: string; reason: string; message: string; retryable: boolean; volumeType?: VolumeType };

export interface PodVolumesOptions {
  rootDir: string;
  sources: SourceReader;
  /** hostPath volumes only below these dirs; empty = any. */
  hostPathAllow: readonly string[];
  /** The node's part of the downward API (pod IPs are added per call). */
  downward: Omit<DownwardContext, "podIps">;
  /** Called once per volume set up or checked, with its type and outcome (metrics). */
  onVolume?: (type: VolumeType, result: "ok" | "error") => void;
}

/** configMap etc. are always read-only in containers (kubelet: ReadOnlyAPIDataVolumes). */
const API_DATA_TYPES: ReadonlySet<VolumeType> = new Set(["configMap", "secret", "downwardAPI", "projected"]);

export class PodVolumes {
  constructor(private readonly opts: PodVolumesOptions) {}

  /**
   * Sets up every volume, then the mounts (subPath binds included) of `containers` — the ones
   * about to start; default all. An empty set sets up the volumes only (eager setup, resync).
   * Never throws for a problem of one volume: every error becomes a failed outcome (the pod
   * waits and is retried), so one bad volume cannot abort a whole sync pass.
   */
  async setup(pod: Pod, podIps: readonly string[], containers?: ReadonlySet<string>, fetchOpts: FetchOptions = {}): Promise<SetupOutcome> {
    const uid = pod.metadata.uid;
    // A hostNetwork pod's IPs are the node's (kubelet does the same).
    const ips = podIps.length === 0 && pod.spec.hostNetwork === true ? [this.opts.downward.hostIp] : podIps;
    const ctx: DownwardContext = { ...this.opts.downward, podIps: ips };
    try {
      // pods/ and pods/<uid> are 0750 (as the kubelet's): other host users cannot reach a
      // pod's secrets; containers see only their mount roots.
      await this.#privateDir(join(this.opts.rootDir, "pods"));
      await this.#privateDir(podDir(this.opts.rootDir, uid));
    } catch (err) {
      return failed("", "FailedMount", `MountVolume.SetUp failed for pod "${uid}" : ${errorMessage(err)}`, !(err instanceof UnsafeNameError));
    }
    const hostPaths = new Map<string, string>();
    const forcedReadOnly = new Set<string>();
    const updated: string[] = [];
    for (const [i, raw] of (pod.spec.volumes ?? []).entries()) {
      const name = typeof raw["name"] === "string" ? raw["name"] : `#${i}`;
      let volume: Volume;
      let type: VolumeType;
      try {
        volume = volumeSchema(raw, `spec.volumes[${i}]`);
        type = volumeType(volume, raw);
      } catch (err) {
        return failed(name, "FailedMount", `MountVolume.SetUp failed for volume "${name}" : ${errorMessage(err)}`, false);
      }
      try {
        const { hostPath, wrote } = await this.#setupVolume(pod, volume, type, ctx, fetchOpts);
        hostPaths.set(volume.name, hostPath);
        if (API_DATA_TYPES.has(type)) forcedReadOnly.add(volume.name);
        if (wrote) updated.push(volume.name);
        this.opts.onVolume?.(type, "ok");
      } catch (err) {
        this.opts.onVolume?.(type, "error");
        // Not a VolumeSourceError (EIO, a failed mount(8), ENOSPC ...): a node problem a retry may fix.
        const retryable = err instanceof VolumeSourceError ? err.retryable : !(err instanceof UnsafeNameError);
        return { ...failed(name, "FailedMount", `MountVolume.SetUp failed for volume "${name}" : ${errorMessage(err)}`, retryable), volumeType: type };
      }
    }

    let plan;
    try {
      plan = planMounts(pod, new Set(hostPaths.keys()), forcedReadOnly, ctx, containers);
    } catch (err) {
      if (err instanceof MountPlanError) return failed("", err.retryable ? "FailedMount" : "Failed", err.message, err.retryable);
      return failed("", "FailedMount", `MountVolume.SetUp failed for pod "${uid}" : ${errorMessage(err)}`, true);
    }
    const mounts: Record<string, CriMountMessage[]> = {};
    for (const [container, planned] of Object.entries(plan)) {
      const list: CriMountMessage[] = [];
      for (const m of planned) {
        let hostPath = hostPaths.get(m.volume) ?? "";
        try {
          if (m.subPath !== undefined) {
            const target = subPathBindDir(this.opts.rootDir, uid, m.volume, container, m.bindKey);
            await bindSubPath(hostPath, m.subPath, target);
            hostPath = target;
          }
          // Propagation needs a shared source mount; only for what natslet owns (a hostPath's mount is the host's business).
          if (m.propagation !== "PROPAGATION_PRIVATE" && hostPath.startsWith(podDir(this.opts.rootDir, uid) + "/")) await ensureShared(hostPath);
        } catch (err) {
          const message = `failed to prepare subPath for volumeMount "${m.volume}" of container "${container}": ${errorMessage(err)}`;
          if (err instanceof SubPathError || err instanceof UnsafeNameError) return failed(m.volume, "Failed", message, false);
          return failed(m.volume, "FailedMount", `MountVolume.SetUp failed for volume "${m.volume}" : ${message}`, true);
        }
        list.push({ containerPath: m.containerPath, hostPath, readonly: m.readonly, propagation: m.propagation });
      }
      mounts[container] = list;
    }
    return { kind: "ready", mounts, updated };
  }

  /** Creates `dir` if needed and makes it 0750 (mkdir's mode is masked by the umask, and an existing dir keeps its own). */
  async #privateDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    await chmod(dir, 0o750);
  }

  /** Unmounts and removes pods/<uid>. Returns whether there was anything. */
  async teardown(uid: string): Promise<boolean> {
    const dir = podDir(this.opts.rootDir, uid);
    const exists = (await lstat(dir).catch(() => undefined)) !== undefined;
    await unmountAllBelow(dir);
    // Never rm -r across a mount: a leftover bind of a hostPath subPath would take host files with it.
    const left = mountsBelow(await readMounts(), dir);
    if (left.length > 0) throw new Error(`cannot remove ${dir}: still mounted: ${left.join(", ")}`);
    // The runtime-adapter keeps termination message files under the same pod dir: only our dirs
    // go. rm --one-file-system is the second guard should a mount appear meanwhile.
    await removeTree(volumesDir(this.opts.rootDir, uid));
    await removeTree(`${dir}/volume-subpaths`);
    this.opts.sources.forget(uid);
    // The pod dir itself goes when nothing else is in it.
    const rest = await readdir(dir).catch(() => []);
    if (rest.length === 0) await removeTree(dir);
    return exists;
  }

  /** UIDs with volume dirs on this node (to find orphans after a restart). */
  async podsOnDisk(): Promise<string[]> {
    const pods = await readdir(`${this.opts.rootDir}/pods`).catch(() => [] as string[]);
    const out: string[] = [];
    for (const uid of pods) {
      const has = await Promise.all([
        lstat(volumesDir(this.opts.rootDir, uid)).then(() => true, () => false),
        lstat(`${podDir(this.opts.rootDir, uid)}/volume-subpaths`).then(() => true, () => false),
      ]);
      if (has.some(Boolean)) out.push(uid);
    }
    return out;
  }

  async #setupVolume(pod: Pod, volume: Volume, type: VolumeType, ctx: DownwardContext, fetchOpts: FetchOptions): Promise<{ hostPath: string; wrote: boolean }> {
    const uid = pod.metadata.uid;
    if (type === "hostPath") return { hostPath: await this.#hostPath(volume), wrote: false };
    const dir = volumeDir(this.opts.rootDir, uid, type, volume.name);
    if (type === "emptyDir") {
      const medium = volume.emptyDir?.medium ?? "";
      if (medium !== "" && medium !== "Memory") throw new VolumeSourceError(`emptyDir medium "${medium}" is not supported by natslet`, false);
      // emptyDir is writable by any user in the container (kubelet: 0777).
      await mkdir(dir, { recursive: true });
      if (medium === "Memory" && !(await isMountPoint(dir))) await mountTmpfs(dir, { sizeBytes: sizeLimitBytes(volume), mode: 0o777 });
      await chmod(dir, 0o777); // mkdir's mode is masked by the umask
      return { hostPath: dir, wrote: false };
    }
    // Fetch before creating anything: a missing source leaves no half-made volume behind.
    const sources = await this.opts.sources.fetch(pod, volumeReferences(volume), fetchOpts);
    const payload = volumePayload(volume, pod, sources, ctx);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    // Secrets, tokens and the downward API live in memory only (kubelet: medium Memory for these).
    if (type !== "configMap" && !(await isMountPoint(dir))) await mountTmpfs(dir);
    const wrote = await writeAtomically(dir, payload);
    return { hostPath: dir, wrote };
  }

  async #hostPath(volume: Volume): Promise<string> {
    const source = volume.hostPath;
    if (!source) throw new VolumeSourceError("no hostPath source", false);
    const path = source.path;
    const notAllowed = () => new VolumeSourceError(`hostPath "${path}" is not allowed on this node (NATSLET_HOSTPATH_ALLOW)`, false);
    // The runtime follows symlinks when it bind-mounts: what counts is where the path really
    // leads. The allow-list entries were resolved at startup; a path that does not exist yet
    // resolves through its deepest existing ancestor. Checked before creating (no dir made
    // through a link out) and again after, on the path actually handed to the runtime.
    if (!hostPathAllowed(await realpathLenient(path), this.opts.hostPathAllow)) throw notAllowed();
    const decision = checkHostPathType(path, source.type, await fileKind(path));
    if (decision.action === "refuse") throw new VolumeSourceError(decision.message, true);
    if (decision.action === "create") {
      if (decision.kind === "directory") await mkdir(path, { recursive: true, mode: 0o755 });
      else {
        await mkdir(dirname(path), { recursive: true, mode: 0o755 });
        await writeFile(path, "", { flag: "a", mode: 0o644 });
      }
    }
    const real = await realpathLenient(path);
    if (!hostPathAllowed(real, this.opts.hostPathAllow)) throw notAllowed();
    // The resolved path goes to the runtime (no symlink left for it to follow). Missing and
    // type "" stays as given for the runtime to create, as before.
    return this.opts.hostPathAllow.length > 0 ? real : path;
  }
}

type Failed = Extract<SetupOutcome, { kind: "failed" }>;

function failed(volume: string, reason: string, message: string, retryable: boolean): Failed {
  return { kind: "failed", volume, reason, message, retryable };
}

/** The one source a volume has; a source natslet does not know is a clear error. */
export function volumeType(volume: Volume, raw: Record<string, unknown>): VolumeType {
  const known: VolumeType[] = (["emptyDir", "hostPath", "configMap", "secret", "downwardAPI", "projected"] as const).filter((k) => volume[k] !== undefined);
  if (known.length === 1 && known[0] !== undefined) return known[0];
  if (known.length > 1) throw new VolumeSourceError(`more than one volume source: ${known.join(", ")}`, false);
  const other = Object.keys(raw).find((k) => k !== "name");
  throw new VolumeSourceError(other ? `unsupported volume type "${other}"` : "no volume source given", false);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sizeLimitBytes(volume: Volume): number | undefined {
  const limit = volume.emptyDir?.sizeLimit;
  if (limit === undefined || limit === "") return undefined;
  try {
    return parseBytes(limit);
  } catch (err) {
    if (err instanceof QuantityError) throw new VolumeSourceError(`invalid sizeLimit "${limit}": ${err.message}`, false);
    throw err;
  }
}

async function fileKind(path: string): Promise<FileKind> {
  // stat, not lstat: the kubelet's checks follow symlinks (a link to a dir is a directory).
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) return "missing";
  if (st.isDirectory()) return "directory";
  if (st.isFile()) return "file";
  if (st.isSocket()) return "socket";
  if (st.isCharacterDevice()) return "char";
  if (st.isBlockDevice()) return "block";
  return "other";
}

import { isAbsolute } from "node:path";
import { commonSettings, envInt, envString, SettingsError, type CommonSettings } from "@natslet/telemetry";
import { realpathLenient, resolveRootDir } from "./real-paths.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface VolumeManagerSettings extends CommonSettings {
  /** natslet's state root; pod volumes live under <rootDir>/pods/<uid>/volumes (kubelet layout). */
  readonly rootDir: string;
  /** status.hostIP for the downward API and subPathExpr. */
  readonly nodeIp: string;
  /** How often set-up pods are re-read: ConfigMap/Secret changes and token renewals land within this. */
  readonly resyncMs: number;
  /** hostPath volumes are allowed only at or below these dirs; empty = anywhere. */
  readonly hostPathAllow: readonly string[];
  /**
   * "watch": ConfigMaps/Secrets the set-up pods reference are watched and read from memory
   * (kubelet: configMapAndSecretChangeDetectionStrategy Watch); "get": every read is a GET.
   */
  readonly sourceStrategy: "watch" | "get";
}

export function volumeManagerSettings(env: Env = process.env): VolumeManagerSettings {
  const rootDir = envString(env, "NATSLET_ROOT_DIR", "/var/lib/natslet");
  if (!isAbsolute(rootDir)) throw new SettingsError(`NATSLET_ROOT_DIR=${rootDir} must be an absolute path`);
  const hostPathAllow = envString(env, "NATSLET_HOSTPATH_ALLOW", "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const dir of hostPathAllow) {
    if (!isAbsolute(dir)) throw new SettingsError(`NATSLET_HOSTPATH_ALLOW: "${dir}" must be an absolute path`);
  }
  return {
    ...commonSettings("volume-manager", env),
    rootDir,
    nodeIp: envString(env, "NATSLET_NODE_IP", "127.0.0.1"),
    resyncMs: envInt(env, "NATSLET_VOLUME_RESYNC_MS", 10_000, 100),
    hostPathAllow,
    sourceStrategy: sourceStrategy(envString(env, "NATSLET_VOLUME_SOURCE_STRATEGY", "watch")),
  };
}

function sourceStrategy(value: string): "watch" | "get" {
  if (value === "watch" || value === "get") return value;
  throw new SettingsError(`NATSLET_VOLUME_SOURCE_STRATEGY=${value} must be "watch" or "get"`);
}

/**
 * The settings with real paths (symlinks resolved), as startup must use them: mountinfo lists
 * real paths, so a symlinked NATSLET_ROOT_DIR compared as given would find no mount below it
 * (teardown would rm -r into live binds, each resync would stack another tmpfs). The root is
 * created first. Allow-list entries are resolved too: hostPaths are checked by where they
 * really lead (an entry that does not exist yet resolves through its deepest existing parent).
 */
export async function withRealPaths(settings: VolumeManagerSettings): Promise<VolumeManagerSettings> {
  return {
    ...settings,
    rootDir: await resolveRootDir(settings.rootDir),
    hostPathAllow: await Promise.all(settings.hostPathAllow.map((dir) => realpathLenient(dir))),
  };
}

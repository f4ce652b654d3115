import { isAbsolute } from "node:path";
import { commonSettings, envInt, envString, SettingsError, type CommonSettings } from "@natslet/telemetry";

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
  };
}

import { commonSettings, envInt, envString, type CommonSettings } from "@natslet/telemetry";

export interface SyncLoopSettings extends CommonSettings {
  /** status.hostIP of every pod, and what env fieldRefs to it resolve to. */
  readonly nodeIp: string;
  /** Every pod is synced at least this often, besides events (kubelet: syncFrequency). */
  readonly resyncMs: number;
  /** How often orphaned sandboxes/containers are looked for (kubelet: housekeeping). */
  readonly housekeepingMs: number;
}

export function syncLoopSettings(env: Readonly<Record<string, string | undefined>> = process.env): SyncLoopSettings {
  return {
    ...commonSettings("sync-loop", env),
    nodeIp: envString(env, "NATSLET_NODE_IP", "127.0.0.1"),
    resyncMs: envInt(env, "NATSLET_RESYNC_MS", 10_000, 100),
    housekeepingMs: envInt(env, "NATSLET_HOUSEKEEPING_MS", 30_000, 100),
  };
}

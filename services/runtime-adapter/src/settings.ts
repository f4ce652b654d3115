// Settings from the environment; any mistake fails the start with the variable's name.
import { isIP } from "node:net";
import { isAbsolute } from "node:path";
import { endpointToTarget } from "@natslet/cri";
import { commonSettings, envInt, envString, SettingsError, type CommonSettings } from "@natslet/telemetry";
import { DEFAULT_LOG_ROTATION, type LogRotationSettings } from "./log-rotation.js";

export const SERVICE = "runtime-adapter";

/** What startRuntimeAdapter needs (tests build this directly). */
export interface RuntimeAdapterSettings {
  readonly nodeName: string;
  /** Root of the pod log directories (kubelet --pod-logs-dir). */
  readonly podLogsDir: string;
  /** natslet's state root; termination message files live under <rootDir>/pods. */
  readonly rootDir: string;
  /** The node's IP: status.hostIP in the downward API. */
  readonly nodeIp: string;
  readonly plegPeriodMs: number;
  /** Container log rotation (kubelet containerLogMaxSize/containerLogMaxFiles); default DEFAULT_LOG_ROTATION. */
  readonly logRotation?: LogRotationSettings;
}

export interface Settings extends CommonSettings, RuntimeAdapterSettings {
  /** unix:///run/containerd/containerd.sock */
  readonly criEndpoint: string;
}

export function loadSettings(env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  const criEndpoint = envString(env, "CONTAINER_RUNTIME_ENDPOINT");
  try {
    endpointToTarget(criEndpoint);
  } catch (err) {
    throw new SettingsError(`CONTAINER_RUNTIME_ENDPOINT: ${(err as Error).message}`);
  }
  const nodeIp = envString(env, "NATSLET_NODE_IP", "127.0.0.1");
  if (isIP(nodeIp) === 0) throw new SettingsError(`NATSLET_NODE_IP=${nodeIp} must be an IP address`);
  return {
    ...commonSettings(SERVICE, env),
    criEndpoint,
    podLogsDir: absolute(env, "NATSLET_POD_LOGS_DIR", "/var/log/pods"),
    rootDir: absolute(env, "NATSLET_ROOT_DIR", "/var/lib/natslet"),
    nodeIp,
    plegPeriodMs: envInt(env, "NATSLET_PLEG_PERIOD_MS", 1000, 10, 60_000),
    logRotation: {
      maxBytes: envInt(env, "NATSLET_CONTAINER_LOG_MAX_BYTES", DEFAULT_LOG_ROTATION.maxBytes, 1024),
      maxFiles: envInt(env, "NATSLET_CONTAINER_LOG_MAX_FILES", DEFAULT_LOG_ROTATION.maxFiles, 2, 1000),
      periodMs: envInt(env, "NATSLET_CONTAINER_LOG_ROTATION_PERIOD_MS", DEFAULT_LOG_ROTATION.periodMs, 100, 3_600_000),
    },
  };
}

function absolute(env: Readonly<Record<string, string | undefined>>, key: string, fallback: string): string {
  const path = envString(env, key, fallback);
  if (!isAbsolute(path)) throw new SettingsError(`${key}=${path} must be an absolute path`);
  return path;
}

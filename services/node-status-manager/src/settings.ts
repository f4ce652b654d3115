// The node-status-manager's settings: which node it is, how it looks to the scheduler, and
// how often it reports. Every malformed value fails at start with the variable's name.
import { hostname } from "node:os";
import { commonSettings, envInt, envString, SettingsError, type CommonSettings } from "@natslet/telemetry";
import { isIP } from "node:net";
import { NodeConfigError, parseLabels, parseReserved, parseTaints, type Reserved, type Taint } from "./node-config.js";

export interface NodeStatusManagerSettings extends CommonSettings {
  nodeIp: string;
  apiPort: number;
  labels: Record<string, string>;
  taints: Taint[];
  maxPods: number;
  systemReserved: Reserved;
  kubeReserved: Reserved;
  /** The filesystem natslet keeps its state on: ephemeral-storage and nodefs. */
  rootDir: string;
  /** How often the status is computed and posted if it changed. */
  statusUpdateMs: number;
  /** The longest time between two posts of an unchanged status. */
  statusReportMs: number;
  /** This replica's identity in the leader election. */
  replicaId: string;
  electionDurationMs: number;
  electionRenewMs: number;
  electionRetryMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function config<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof NodeConfigError) throw new SettingsError(err.message);
    throw err;
  }
}

export function nodeStatusManagerSettings(env: Env = process.env): NodeStatusManagerSettings {
  const common = commonSettings("node-status-manager", env);
  const nodeIp = envString(env, "NATSLET_NODE_IP", "127.0.0.1");
  if (isIP(nodeIp) === 0) throw new SettingsError(`NATSLET_NODE_IP=${nodeIp} must be an IP address`);
  const electionDurationMs = envInt(env, "NATSLET_ELECTION_LEASE_MS", 15_000, 1000);
  const electionRenewMs = envInt(env, "NATSLET_ELECTION_RENEW_MS", 5_000, 100);
  if (electionRenewMs * 2 > electionDurationMs) {
    throw new SettingsError(`NATSLET_ELECTION_RENEW_MS=${electionRenewMs} must be at most half of NATSLET_ELECTION_LEASE_MS=${electionDurationMs}`);
  }
  return {
    ...common,
    nodeIp,
    apiPort: envInt(env, "NATSLET_NODE_API_PORT", 10250, 1, 65535),
    labels: config(() => parseLabels("NATSLET_NODE_LABELS", env["NATSLET_NODE_LABELS"] ?? "")),
    taints: config(() => parseTaints("NATSLET_NODE_TAINTS", env["NATSLET_NODE_TAINTS"] ?? "")),
    maxPods: envInt(env, "NATSLET_MAX_PODS", 110, 1, 10_000),
    systemReserved: config(() => parseReserved("NATSLET_SYSTEM_RESERVED", env["NATSLET_SYSTEM_RESERVED"] ?? "")),
    kubeReserved: config(() => parseReserved("NATSLET_KUBE_RESERVED", env["NATSLET_KUBE_RESERVED"] ?? "")),
    rootDir: envString(env, "NATSLET_ROOT_DIR", "/"),
    statusUpdateMs: envInt(env, "NATSLET_NODE_STATUS_UPDATE_MS", 10_000, 100),
    statusReportMs: envInt(env, "NATSLET_NODE_STATUS_REPORT_MS", 300_000, 100),
    replicaId: envString(env, "NATSLET_REPLICA_ID", `${hostname()}-${process.pid}`),
    electionDurationMs,
    electionRenewMs,
    electionRetryMs: envInt(env, "NATSLET_ELECTION_RETRY_MS", 2_000, 100),
  };
}

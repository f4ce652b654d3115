// Settings from the environment; any mistake fails the start with the variable's name.
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { isAbsolute } from "node:path";
import { commonSettings, envInt, envOptional, envString, SettingsError, type CommonSettings } from "@natslet/telemetry";

export const SERVICE = "node-api";

export interface NodeApiSettings extends CommonSettings {
  /** The HTTPS port; node-status-manager advertises the same variable as daemonEndpoints.kubeletEndpoint.Port. */
  readonly port: number;
  /** The address to listen on (kubelet --address). */
  readonly address: string;
  /** The node's IP: a subject alt name of a generated serving certificate. */
  readonly nodeIp: string;
  /** PEM files of the serving certificate and key; both unset: a self-signed pair is generated. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** PEM bundle of the CAs whose client certificates authenticate (kubelet --client-ca-file). */
  readonly clientCaFile?: string;
  /** Requests without credentials pass as system:anonymous (kubelet --anonymous-auth). */
  readonly anonymous: boolean;
  /** Root of the pod log directories (filesystem stats of the node). */
  readonly podLogsDir: string;
}

function file(env: Readonly<Record<string, string | undefined>>, key: string): string | undefined {
  const path = envOptional(env, key);
  if (path === undefined) return undefined;
  if (!isAbsolute(path) || !existsSync(path)) throw new SettingsError(`${key}=${path} must be an existing absolute path`);
  return path;
}

export function loadSettings(env: Readonly<Record<string, string | undefined>> = process.env): NodeApiSettings {
  const nodeIp = envString(env, "NATSLET_NODE_IP", "127.0.0.1");
  if (isIP(nodeIp) === 0) throw new SettingsError(`NATSLET_NODE_IP=${nodeIp} must be an IP address`);
  const address = envString(env, "NATSLET_NODE_API_ADDRESS", "0.0.0.0");
  if (isIP(address) === 0) throw new SettingsError(`NATSLET_NODE_API_ADDRESS=${address} must be an IP address`);
  const tlsCertFile = file(env, "NATSLET_NODE_API_TLS_CERT");
  const tlsKeyFile = file(env, "NATSLET_NODE_API_TLS_KEY");
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new SettingsError("NATSLET_NODE_API_TLS_CERT and NATSLET_NODE_API_TLS_KEY must be set together");
  }
  const anonymous = envString(env, "NATSLET_NODE_API_ANONYMOUS", "false");
  if (anonymous !== "true" && anonymous !== "false") throw new SettingsError(`NATSLET_NODE_API_ANONYMOUS=${anonymous} must be true or false`);
  const clientCaFile = file(env, "NATSLET_NODE_API_CLIENT_CA");
  const podLogsDir = envString(env, "NATSLET_POD_LOGS_DIR", "/var/log/pods");
  if (!isAbsolute(podLogsDir)) throw new SettingsError(`NATSLET_POD_LOGS_DIR=${podLogsDir} must be an absolute path`);
  return {
    ...commonSettings(SERVICE, env),
    port: envInt(env, "NATSLET_NODE_API_PORT", 10250, 0, 65535),
    address,
    nodeIp,
    ...(tlsCertFile !== undefined ? { tlsCertFile } : {}),
    ...(tlsKeyFile !== undefined ? { tlsKeyFile } : {}),
    ...(clientCaFile !== undefined ? { clientCaFile } : {}),
    anonymous: anonymous === "true",
    podLogsDir,
  };
}

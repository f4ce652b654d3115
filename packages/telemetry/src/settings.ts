// Settings come from the environment (12-factor, and what docker-compose passes). Each reader
// fails with the variable's name and what was wrong, at start-up, never later.
import { hostname } from "node:os";

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function envString(env: Env, key: string, fallback?: string): string {
  const value = raw(env, key) ?? fallback;
  if (value === undefined) throw new SettingsError(`${key} must be set`);
  return value;
}

export function envOptional(env: Env, key: string): string | undefined {
  return raw(env, key);
}

export function envInt(env: Env, key: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw(env, key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SettingsError(`${key}=${value} must be an integer from ${min} to ${max}`);
  }
  return n;
}

/** Settings every service has. */
export interface CommonSettings {
  readonly service: string;
  readonly nodeName: string;
  readonly natsUrl: string;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one. */
  readonly healthPort: number;
  readonly healthHost: string;
  readonly logLevel: string;
  /** json (default: one JSON object per line, for machines) or pretty (for a terminal). */
  readonly logFormat: LogFormat;
}

export type LogFormat = "json" | "pretty";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

function logFormat(env: Env): LogFormat {
  const value = envString(env, "LOG_FORMAT", "json");
  if (value !== "json" && value !== "pretty") throw new SettingsError(`LOG_FORMAT=${value} must be json or pretty`);
  return value;
}

export function commonSettings(service: string, env: Env = process.env): CommonSettings {
  const logLevel = envString(env, "LOG_LEVEL", "info");
  if (!LOG_LEVELS.includes(logLevel)) throw new SettingsError(`LOG_LEVEL=${logLevel} must be one of ${LOG_LEVELS.join(", ")}`);
  return {
    service,
    // The kubelet's default node name is the host name, lower-cased.
    nodeName: envString(env, "NATSLET_NODE_NAME", hostname().toLowerCase()),
    natsUrl: envString(env, "NATS_URL", "nats://127.0.0.1:4222"),
    healthPort: envInt(env, "NATSLET_HEALTH_PORT", 0, 0, 65535),
    healthHost: envString(env, "NATSLET_HEALTH_HOST", "127.0.0.1"),
    logLevel,
    logFormat: logFormat(env),
  };
}

import { commonSettings, type CommonSettings } from "@natslet/telemetry";

export type StatusManagerSettings = CommonSettings;

export function statusManagerSettings(env: Readonly<Record<string, string | undefined>> = process.env): StatusManagerSettings {
  return commonSettings("status-manager", env);
}

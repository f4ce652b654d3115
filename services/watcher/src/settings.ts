// The watcher's settings, all from the environment and all checked at start-up.
import type { KubeConfig } from "@kubernetes/client-node";
import { loadKubeConfig } from "@natslet/kube";
import { commonSettings, envString, SettingsError, type CommonSettings } from "@natslet/telemetry";

export interface WatcherSettings extends CommonSettings {
  /** From KUBECONFIG, the in-cluster service account, or ~/.kube/config. */
  readonly kubeConfig: KubeConfig;
  /**
   * How long a tombstone stays in the pod stream (NATSLET_TOMBSTONE_TTL, default "1h"). Long
   * enough for every consumer that was down to come back and see the delete; after that, a
   * consumer that finds no message for a pod treats it as gone anyway.
   */
  readonly tombstoneTtl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadSettings(env: Env = process.env): WatcherSettings {
  const tombstoneTtl = envString(env, "NATSLET_TOMBSTONE_TTL", "1h");
  if (ttlSeconds(tombstoneTtl) === undefined) {
    throw new SettingsError(
      `NATSLET_TOMBSTONE_TTL=${tombstoneTtl} must be a duration of at least 1s, like "90s", "30m", "1h" or "1h30m"`,
    );
  }
  return { ...commonSettings("watcher", env), kubeConfig: loadKubeConfig(env), tombstoneTtl };
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/**
 * Seconds in a message TTL as nats-server reads the Nats-TTL header (a Go duration or whole
 * seconds; under 1 s is refused), or undefined when the text is not one. Sub-second units are
 * left out on purpose: no tombstone should live that briefly.
 */
export function ttlSeconds(text: string): number | undefined {
  if (/^\d+$/.test(text)) return positive(Number(text));
  if (!/^(\d+(\.\d+)?[hms])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)([hms])/g)) {
    total += Number(amount) * (UNIT_SECONDS[unit ?? ""] ?? Number.NaN);
  }
  return positive(total);
}

function positive(seconds: number): number | undefined {
  return Number.isFinite(seconds) && seconds >= 1 ? seconds : undefined;
}

// Sleeps that end early on shutdown: every loop here runs until its signal aborts.
import type { Clock } from "@natslet/kube";

/** Sleeps `ms`; resolves false (instead of throwing) when `signal` aborts. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

/** RFC 3339 with seconds, as the API server writes metav1.Time. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// The kubelet's image pull back-off (images/image_manager.go): per pod UID + image, 10 s
// doubling to 5 min, no jitter — core's back-off arithmetic over a plain record, so replicas
// can share it (KV); the clock is passed in.
import { activeBackoff, CRASH_LOOP_BACKOFF, nextBackoffPeriod, type BackoffPolicy, type BackoffState } from "@natslet/core";

/** kubelet: the same backOffPeriod (10 s) and MaxContainerBackOff (300 s) as the crash-loop back-off. */
export const IMAGE_PULL_BACKOFF: BackoffPolicy = CRASH_LOOP_BACKOFF;

export interface BackoffEntry extends BackoffState {
  /** The registry's message of the last failure, for the ImagePullBackOff message. */
  message: string;
}

/** Records a failed pull at `now`: the initial period, or the doubled one up to max. */
export function nextBackoff(entry: BackoffEntry | undefined, now: number, message: string, policy: BackoffPolicy = IMAGE_PULL_BACKOFF): BackoffEntry {
  return { backoffMs: nextBackoffPeriod(activeBackoff(entry, now, policy)?.backoffMs, policy), lastUpdate: now, message };
}

/** Milliseconds until another pull may be tried; 0 when it may be tried now (IsInBackOffSinceUpdate). */
export function backoffRemaining(entry: BackoffEntry | undefined, now: number, policy: BackoffPolicy = IMAGE_PULL_BACKOFF): number {
  const active = activeBackoff(entry, now, policy);
  return active === undefined ? 0 : Math.max(0, active.lastUpdate + active.backoffMs - now);
}

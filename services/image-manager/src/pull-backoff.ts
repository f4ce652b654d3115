// The kubelet's image pull back-off (images/image_manager.go): per pod UID + image, 10 s
// doubling to 5 min, no jitter. State is a plain record so replicas can share it (KV); the
// clock is passed in.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** kubelet: backOffPeriod 10 s, MaxContainerBackOff 300 s. */
export const IMAGE_PULL_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };

export interface BackoffEntry {
  /** The current period. */
  backoffMs: number;
  /** When the last failure was recorded. */
  lastUpdate: number;
  /** The registry's message of that failure, for the ImagePullBackOff message. */
  message: string;
}

/** An entry not updated for 2 × max is forgotten (flowcontrol.Backoff's reset rule). */
function expired(entry: BackoffEntry, now: number, policy: BackoffPolicy): boolean {
  return now - entry.lastUpdate > 2 * policy.maxMs;
}

/** Records a failed pull at `now`: the initial period, or the doubled one up to max. */
export function nextBackoff(entry: BackoffEntry | undefined, now: number, message: string, policy: BackoffPolicy = IMAGE_PULL_BACKOFF): BackoffEntry {
  const backoffMs = entry === undefined || expired(entry, now, policy) ? policy.initialMs : Math.min(entry.backoffMs * 2, policy.maxMs);
  return { backoffMs, lastUpdate: now, message };
}

/** Milliseconds until another pull may be tried; 0 when it may be tried now (IsInBackOffSinceUpdate). */
export function backoffRemaining(entry: BackoffEntry | undefined, now: number, policy: BackoffPolicy = IMAGE_PULL_BACKOFF): number {
  if (entry === undefined || expired(entry, now, policy)) return 0;
  return Math.max(0, entry.lastUpdate + entry.backoffMs - now);
}

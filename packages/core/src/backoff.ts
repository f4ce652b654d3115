// The kubelet's crash-loop back-off: how long to wait before restarting a container that
// exited. kubelet: k8s.io/client-go/util/flowcontrol.Backoff as used by kuberuntime doBackOff
// (initial 10 s, doubling, capped at 5 min). Time is passed in, so tests are exact and instant.
// nextBackoffPeriod and activeBackoff are the arithmetic alone, for back-offs kept elsewhere
// (the image-manager's pull back-off in KV, the sync-loop's retry of failed passes).

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** kubelet: backOffPeriod (10 s) and MaxContainerBackOff (300 s). */
export const CRASH_LOOP_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };

/** What deciding needs; the mutating half (next, gc) belongs to whoever executes the decisions. */
export interface BackoffReader {
  /** The current back-off period for `key`, 0 when it has none. */
  get(key: string): number;
  /** Whether a container that finished at `finishedAt` must still wait at `now`. */
  isInBackoff(key: string, now: number, finishedAt: number): boolean;
  /** Milliseconds left to wait (0 when not in back-off). */
  remaining(key: string, now: number, finishedAt: number): number;
}

/** One key's back-off as plain data (so it can also be kept in a KV bucket). */
export interface BackoffState {
  backoffMs: number;
  /** When the period was last advanced: for a container, roughly when it was last restarted. */
  lastUpdate: number;
}

/** The period after one more failure: the initial one after none, else the previous one doubled up to max. */
export function nextBackoffPeriod(previousMs: number | undefined, policy: BackoffPolicy): number {
  return previousMs === undefined ? policy.initialMs : Math.min(previousMs * 2, policy.maxMs);
}

/**
 * `state` unless flowcontrol.Backoff's reset rule has forgotten it by `eventTime`: a state not
 * updated for more than 2 × max starts over.
 */
export function activeBackoff<S extends BackoffState>(state: S | undefined, eventTime: number, policy: BackoffPolicy): S | undefined {
  return state !== undefined && eventTime - state.lastUpdate <= 2 * policy.maxMs ? state : undefined;
}

/** The per-container key: pod UID + container name (restarts survive pod updates, not a new pod). */
export function backoffKey(podUid: string, containerName: string): string {
  return `${podUid}/${containerName}`;
}

/**
 * Per-key exponential back-off. An entry resets when the event it is asked about comes more
 * than 2 × max after its last update — for a container that means it ran for 10 minutes
 * before failing again, which is the documented "reset after 10 minutes of running".
 * No jitter: the kubelet's crash-loop back-off has none.
 */
export class CrashLoopBackoff implements BackoffReader {
  readonly #entries = new Map<string, BackoffState>();

  constructor(readonly policy: BackoffPolicy = CRASH_LOOP_BACKOFF) {}

  /**
   * Records a restart decided at `now` for a failure at `eventTime` (the container's finishedAt)
   * and returns the new period: initial for a new or expired entry, else doubled up to max.
   */
  next(key: string, now: number, eventTime: number = now): number {
    const backoffMs = nextBackoffPeriod(activeBackoff(this.#entries.get(key), eventTime, this.policy)?.backoffMs, this.policy);
    this.#entries.set(key, { backoffMs, lastUpdate: now });
    return backoffMs;
  }

  get(key: string): number {
    return this.#entries.get(key)?.backoffMs ?? 0;
  }

  isInBackoff(key: string, now: number, finishedAt: number): boolean {
    return this.remaining(key, now, finishedAt) > 0;
  }

  remaining(key: string, now: number, finishedAt: number): number {
    const entry = activeBackoff(this.#entries.get(key), finishedAt, this.policy);
    if (entry === undefined) return 0;
    return Math.max(0, entry.backoffMs - (now - finishedAt));
  }

  /** Forgets a key (e.g. the pod was deleted). */
  reset(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops entries not updated for 2 × max: they would reset on their next use anyway. */
  gc(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (activeBackoff(entry, now, this.policy) === undefined) this.#entries.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** A start decision that went through the back-off check (see ContainerToStart.backoff). */
interface BackoffRecord {
  backoff?: { key: string; finishedAt: number };
}

/**
 * Records in `backoff` every restart in `actions`, as the kubelet's doBackOff does when it lets
 * a restart through. Call it when the starts are issued, not when merely computed, so that
 * computing the same actions twice does not double the back-off.
 */
export function recordRestarts(
  actions: { containersToStart: readonly BackoffRecord[] },
  backoff: CrashLoopBackoff,
  now: number,
): void {
  for (const start of actions.containersToStart) {
    if (start.backoff) backoff.next(start.backoff.key, now, start.backoff.finishedAt);
  }
}

// Retry back-off for one queue of work (client-go: wait.Backoff as the reflector uses it).
// Short and capped on purpose: the reflector is the only thing between a node and its pods,
// so after an API server restart it should be back within seconds, not half a minute.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Growth per failure; 2 doubles. */
  readonly factor: number;
}

/** 200 ms doubling to 5 s: ~6 attempts cover an API server restart of a few seconds. */
export const RETRY_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 5_000, factor: 2 };

/**
 * Exponential back-off: `next()` returns the delay before the next attempt and grows it,
 * `reset()` forgets the failures after a success. No jitter: there is one reflector per node,
 * so there is no herd of clients to spread out.
 */
export class Backoff {
  #attempt = 0;

  constructor(readonly policy: BackoffPolicy = RETRY_BACKOFF) {
    if (!(policy.initialMs > 0 && policy.maxMs >= policy.initialMs && policy.factor >= 1)) {
      throw new RangeError(`invalid back-off policy ${JSON.stringify(policy)}`);
    }
  }

  next(): number {
    const delay = Math.min(this.policy.initialMs * this.policy.factor ** this.#attempt, this.policy.maxMs);
    // Stop growing the exponent once capped, so it cannot overflow on a long outage.
    if (delay < this.policy.maxMs) this.#attempt += 1;
    return delay;
  }

  reset(): void {
    this.#attempt = 0;
  }
}

// Time as a seam: the reflector's back-off and watch bookkeeping read the clock and sleep through
// this interface, so their unit tests run instantly on a fake clock (kubelet: k8s.io/utils/clock).
import { setTimeout as sleepFor } from "node:timers/promises";

export interface Clock {
  /** Milliseconds since some fixed point (only differences matter). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason once `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, signal === undefined ? {} : { signal }),
};

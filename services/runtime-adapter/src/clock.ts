// Time as a dependency, so the PLEG loop can be tested instantly and exactly (DESIGN: a Clock is
// injected wherever time matters; kubelet pleg/generic_test.go does the same with a fake clock).

/** Cancels a scheduled call; calling it after the call ran is harmless. */
export type Cancel = () => void;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  schedule(fn: () => void, ms: number): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

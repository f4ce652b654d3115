// A clock for unit tests: sleeping advances time at once and is recorded, so back-off sequences
// are checked exactly and take no real time.
import type { Clock } from "../clock.js";

export class FakeClock implements Clock {
  #now = 0;
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.sleeps.push(ms);
    this.#now += ms;
    return Promise.resolve();
  }
}

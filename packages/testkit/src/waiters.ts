/**
 * For test observers fed by events (a watch, a stream): `until` resolves once a condition over
 * what was seen holds, re-checked at every `notify()`, instead of polling.
 */
export class ConditionWaiters {
  readonly #waiters = new Set<() => void>();

  /** Call after every event the conditions read. */
  notify(): void {
    for (const wake of this.#waiters) wake();
  }

  /** Resolves once `check` holds, or fails after `timeoutMs` naming `what`. */
  async until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (check()) return;
    let wake!: () => void;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        wake = () => {
          if (check()) resolve();
        };
        this.#waiters.add(wake);
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      });
    } finally {
      this.#waiters.delete(wake);
      clearTimeout(timer);
    }
  }
}

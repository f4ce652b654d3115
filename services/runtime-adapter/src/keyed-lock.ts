// Serialises work per key inside this process. EnsureSandbox/EnsureContainer look up before they
// create; two requests for the same key at once (a caller's retry racing its own first try) must
// not both see "absent" and both create. Across processes containerd's name reservation is the
// guard (see sandboxes.ts / containers.ts).

export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` after every earlier `run` with the same key has finished. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // The last holder cleans up, so the map only holds keys with work in flight.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with work running or waiting (for tests and shutdown). */
  get size(): number {
    return this.#tails.size;
  }
}

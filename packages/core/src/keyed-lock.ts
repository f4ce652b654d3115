// Serialises work per key inside one process: work for a key runs after every earlier work for
// that key has finished (failed or not); different keys run in parallel. The runtime-adapter
// uses it so two requests for one sandbox or container cannot both see "absent" and both
// create; the volume-manager so setup, resync and teardown of one pod never overlap.

export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier `run` with the same key has finished. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    // The last holder cleans up, so the map only holds keys with work in flight.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with work running or waiting. */
  get size(): number {
    return this.#tails.size;
  }

  /** Resolves when everything started so far has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}

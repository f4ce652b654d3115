// Work on one pod never overlaps (a Setup request, the resync and a teardown of the same pod
// run one after the other); different pods run in parallel.
export class KeyLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves when everything started so far has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}

// One worker per key, the latest request wins: the shape of the kubelet's pod workers
// (pod_workers.go) without goroutines. Work for a key never overlaps; requests that arrive
// while it runs collapse into one more run with the newest value; keys run in parallel.

export interface KeyedWorkerOptions<T> {
  /** Does the work for one key; its errors go to onError, never stop the worker. */
  run: (key: string, value: T) => Promise<void>;
  onError: (key: string, err: unknown) => void;
  /**
   * Combines a queued value with a newer one for the same key; default: the newer wins.
   * (The sync-loop keeps the trace of a pod update over a later plain resync.)
   */
  merge?: (queued: T, next: T) => T;
}

interface Slot<T> {
  /** The newest value not yet handed to `run`, if any. */
  pending?: { value: T };
  running: boolean;
  /** Resolves when the key is idle. */
  idle: Promise<void>;
}

export class KeyedWorker<T> {
  readonly #slots = new Map<string, Slot<T>>();
  #closed = false;

  constructor(private readonly opts: KeyedWorkerOptions<T>) {}

  /** Schedules `run(key, value)`; if one runs for the key, this value replaces any queued one. */
  submit(key: string, value: T): void {
    if (this.#closed) return;
    const slot = this.#slots.get(key) ?? { running: false, idle: Promise.resolve() };
    this.#slots.set(key, slot);
    const merge = this.opts.merge;
    slot.pending = { value: slot.pending && merge ? merge(slot.pending.value, value) : value };
    if (!slot.running) slot.idle = this.#drain(key, slot);
  }

  /** Keys with work running or queued. */
  get busyKeys(): string[] {
    return [...this.#slots.keys()];
  }

  isBusy(key: string): boolean {
    return this.#slots.has(key);
  }

  /** Resolves once no key has work running or queued (work submitted meanwhile included). */
  async settled(): Promise<void> {
    while (this.#slots.size > 0) await Promise.all([...this.#slots.values()].map((s) => s.idle));
  }

  /** Stops taking work and waits for what runs to finish (queued values are dropped). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots.values()) delete slot.pending;
    await Promise.all([...this.#slots.values()].map((s) => s.idle));
  }

  async #drain(key: string, slot: Slot<T>): Promise<void> {
    slot.running = true;
    try {
      while (slot.pending) {
        const { value } = slot.pending;
        delete slot.pending;
        try {
          await this.opts.run(key, value);
        } catch (err) {
          this.opts.onError(key, err);
        }
      }
    } finally {
      slot.running = false;
      this.#slots.delete(key);
    }
  }
}

// Runs a reflector in the background and keeps what it reported, for integration tests:
// the current pods (a sync replaces them, events change them) and every event in order.
import type { RawObject } from "../list-watch.js";
import type { Reflector, ReflectorEvent } from "../reflector.js";

export class Mirror {
  readonly pods = new Map<string, RawObject>();
  readonly events: ReflectorEvent[] = [];
  readonly #abort = new AbortController();
  readonly #waiters = new Set<() => void>();
  readonly done: Promise<void>;

  constructor(reflector: Reflector) {
    this.done = (async () => {
      for await (const event of reflector.run(this.#abort.signal)) {
        this.events.push(event);
        if (event.type === "sync") {
          this.pods.clear();
          for (const pod of event.pods) this.pods.set(uidOf(pod), pod);
        } else if (event.type === "deleted") {
          this.pods.delete(uidOf(event.pod));
        } else {
          this.pods.set(uidOf(event.pod), event.pod);
        }
        for (const wake of this.#waiters) wake();
      }
    })();
  }

  /** Resolves once `check` holds (checked after every event), or fails after `timeoutMs`. */
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

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.done;
  }
}

export function uidOf(pod: RawObject): string {
  const metadata = pod["metadata"] as { uid?: unknown } | undefined;
  return typeof metadata?.uid === "string" ? metadata.uid : "";
}

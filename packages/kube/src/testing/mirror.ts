// Runs a reflector in the background and keeps what it reported, for integration tests:
// the current pods (a sync replaces them, events change them) and every event in order.
import type { RawObject } from "../list-watch.js";
import type { Reflector, ReflectorEvent } from "../reflector.js";
import { ConditionWaiters } from "@natslet/testkit";

export class Mirror {
  readonly pods = new Map<string, RawObject>();
  readonly events: ReflectorEvent[] = [];
  readonly #abort = new AbortController();
  readonly #waiters = new ConditionWaiters();
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
        this.#waiters.notify();
      }
    })();
  }

  /** Resolves once `check` holds (checked on every event), or fails after `timeoutMs`. */
  until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
    return this.#waiters.until(what, check, timeoutMs);
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

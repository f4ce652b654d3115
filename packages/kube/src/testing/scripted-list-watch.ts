// A ListerWatcher that plays a script: each list() and watch() call takes the next step.
// Unit tests of the reflector's loop use it; the real API server is for the itests.
import type { ListerWatcher, RawList, RawObject, WatchEvent, WatchRequest } from "../list-watch.js";
import type { FakeClock } from "./fake-clock.js";

export type ListStep = RawList | Error;

export type WatchStep =
  /** The watch request itself fails (refused, 410, 500...). */
  | { readonly refuse: Error }
  /** The watch is accepted, delivers `events`, runs `durationMs`, then closes or breaks with `error`. */
  | { readonly events: readonly WatchEvent[]; readonly durationMs?: number; readonly error?: Error }
  /** The watch is accepted and stays quiet until the caller aborts. */
  | { readonly hang: true };

export class ScriptedListerWatcher implements ListerWatcher {
  readonly watches: Array<{ resourceVersion: string; timeoutSeconds: number }> = [];
  lists = 0;
  readonly #lists: ListStep[];
  readonly #watches: WatchStep[];

  constructor(
    readonly clock: FakeClock,
    script: { lists: ListStep[]; watches: WatchStep[] },
  ) {
    this.#lists = [...script.lists];
    this.#watches = [...script.watches];
  }

  list(signal: AbortSignal): Promise<RawList> {
    signal.throwIfAborted();
    this.lists += 1;
    const step = this.#lists.shift();
    if (step === undefined) return new Promise((_, reject) => onAbort(signal, reject));
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
  }

  watch(request: WatchRequest): Promise<AsyncIterable<WatchEvent>> {
    request.signal.throwIfAborted();
    this.watches.push({ resourceVersion: request.resourceVersion, timeoutSeconds: request.timeoutSeconds });
    const step = this.#watches.shift() ?? { hang: true };
    if ("refuse" in step) return Promise.reject(step.refuse);
    const clock = this.clock;
    const signal = request.signal;
    return Promise.resolve(
      (async function* play(): AsyncGenerator<WatchEvent, void, undefined> {
        if ("hang" in step) {
          await new Promise((_, reject) => onAbort(signal, reject));
          return;
        }
        for (const event of step.events) yield event;
        clock.advance(step.durationMs ?? 0);
        if (step.error) throw step.error;
      })(),
    );
  }
}

function onAbort(signal: AbortSignal, reject: (reason: unknown) => void): void {
  if (signal.aborted) reject(signal.reason);
  else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
}

export function pod(name: string, resourceVersion: string): RawObject {
  return { metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion } };
}

export function podList(resourceVersion: string, ...names: string[]): RawList {
  return { items: names.map((n) => pod(n, resourceVersion)), resourceVersion };
}

export function added(name: string, resourceVersion: string): WatchEvent {
  return { type: "ADDED", object: pod(name, resourceVersion), resourceVersion };
}

export function bookmark(resourceVersion: string): WatchEvent {
  return { type: "BOOKMARK", resourceVersion };
}

// A reflector for the pods of one node, modelled on client-go's cache.Reflector rather than on
// client-node's informer: LIST, hand over the full snapshot, then WATCH from the list's
// resourceVersion for as long as the API server lets us, re-watching at once when a watch
// simply ends. It keeps no store, so unlike client-go's DeltaFIFO it makes up no deletes for
// pods that vanished between watches: every LIST is handed over whole ("sync") and the consumer
// reconciles against it.
import { Backoff, RETRY_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { systemClock, type Clock } from "./clock.js";
import { isResourceExpired } from "./errors.js";
import type { ListerWatcher, RawList, RawObject } from "./list-watch.js";
import { MIN_HEALTHY_WATCH_MS, nextAfterWatch, type ListReason, type NextStep, type WatchEnd, type WatchRun } from "./watch-decision.js";

export type ReflectorEvent =
  /** The complete set of pods as of `resourceVersion` (start, and every relist). */
  | { readonly type: "sync"; readonly pods: readonly RawObject[]; readonly resourceVersion: string }
  | { readonly type: "added" | "modified" | "deleted"; readonly pod: RawObject; readonly resourceVersion: string };

/** Observation points for metrics and logs; none of them can change what the reflector does. */
export interface ReflectorHooks {
  listed?(reason: ListReason, pods: number): void;
  listFailed?(error: unknown, retryInMs: number): void;
  /** A watch ended (or could not start: `run.events` is 0) and `next` is what happens now. */
  watchEnded?(run: WatchRun, next: NextStep): void;
}

export interface ReflectorOptions {
  readonly listerWatcher: ListerWatcher;
  readonly clock?: Clock;
  /** [0, 1), for the watch timeout spread. */
  readonly random?: () => number;
  /**
   * Each watch asks the server to end it after between this and twice this many seconds
   * (client-go: minWatchTimeout 5 min), so watches of many clients do not end together.
   */
  readonly minWatchTimeoutSeconds?: number;
  readonly backoff?: BackoffPolicy;
  readonly minHealthyWatchMs?: number;
  readonly hooks?: ReflectorHooks;
}

export class Reflector {
  readonly #lw: ListerWatcher;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #minWatchTimeoutSeconds: number;
  readonly #backoff: Backoff;
  readonly #minHealthyWatchMs: number;
  readonly #hooks: ReflectorHooks;
  #running = false;
  #healthy = false;
  #lastError: unknown;

  constructor(opts: ReflectorOptions) {
    const minTimeout = opts.minWatchTimeoutSeconds ?? 300;
    if (!(Number.isSafeInteger(minTimeout) && minTimeout >= 1)) {
      throw new RangeError(`minWatchTimeoutSeconds must be a whole number of seconds >= 1, got ${minTimeout}`);
    }
    this.#lw = opts.listerWatcher;
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random ?? Math.random;
    this.#minWatchTimeoutSeconds = minTimeout;
    this.#backoff = new Backoff(opts.backoff ?? RETRY_BACKOFF);
    this.#minHealthyWatchMs = opts.minHealthyWatchMs ?? MIN_HEALTHY_WATCH_MS;
    this.#hooks = opts.hooks ?? {};
  }

  /** Whether the last LIST or WATCH attempt reached the API server and was accepted. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** What made the reflector unhealthy, for logs and /readyz. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /**
   * Lists and watches until `signal` aborts; then the iteration ends. Errors never end it:
   * they are retried here (the one owner of retries), reported through the hooks and `healthy`.
   * The reflector waits for the consumer: while it handles an event nothing more is read, and
   * the API server's events queue up in the connection.
   */
  async *run(signal: AbortSignal): AsyncGenerator<ReflectorEvent, void, undefined> {
    if (this.#running) throw new Error("this Reflector is already running");
    this.#running = true;
    try {
      let reason: ListReason = "start";
      let delayMs = 0;
      while (!signal.aborted) {
        if (delayMs > 0 && !(await this.#sleep(delayMs, signal))) return;
        let list: RawList;
        try {
          list = await this.#lw.list(signal);
        } catch (error) {
          if (signal.aborted) return;
          this.#markUnhealthy(error);
          delayMs = this.#backoff.next();
          reason = "error";
          this.#hooks.listFailed?.(error, delayMs);
          continue;
        }
        this.#markHealthy();
        this.#hooks.listed?.(reason, list.items.length);
        yield { type: "sync", pods: list.items, resourceVersion: list.resourceVersion };
        const relist = yield* this.#watch(list.resourceVersion, signal);
        if (relist === undefined) return;
        ({ delayMs, reason } = relist);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Watches from `resourceVersion` until a relist is due (returned) or `signal` aborts (undefined). */
  async *#watch(
    resourceVersion: string,
    signal: AbortSignal,
  ): AsyncGenerator<ReflectorEvent, { delayMs: number; reason: ListReason } | undefined, undefined> {
    let rv = resourceVersion;
    for (;;) {
      const started = this.#clock.now();
      let events = 0;
      let end: WatchEnd;
      try {
        const stream = await this.#lw.watch({ resourceVersion: rv, timeoutSeconds: this.#watchTimeoutSeconds(), signal });
        this.#markHealthy();
        for await (const event of stream) {
          events += 1;
          rv = event.resourceVersion;
          if (event.type === "BOOKMARK") continue;
          yield { type: lowerCase(event.type), pod: event.object, resourceVersion: rv };
        }
        end = { kind: "closed" };
      } catch (error) {
        if (signal.aborted) return undefined;
        end = isResourceExpired(error) ? { kind: "expired", error } : { kind: "failed", error };
        if (end.kind === "failed") this.#markUnhealthy(error);
      }
      if (signal.aborted) return undefined;
      const run: WatchRun = { end, events, durationMs: this.#clock.now() - started };
      const next = nextAfterWatch(run, this.#backoff, this.#minHealthyWatchMs);
      this.#hooks.watchEnded?.(run, next);
      if (next.action === "relist") return { delayMs: next.delayMs, reason: next.reason };
    }
  }

  #watchTimeoutSeconds(): number {
    return Math.floor(this.#minWatchTimeoutSeconds * (1 + this.#random()));
  }

  /** Sleeps; false when `signal` aborted meanwhile. */
  async #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.#clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }

  #markHealthy(): void {
    this.#healthy = true;
    this.#lastError = undefined;
  }

  #markUnhealthy(error: unknown): void {
    this.#healthy = false;
    this.#lastError = error;
  }
}

function lowerCase(type: "ADDED" | "MODIFIED" | "DELETED"): "added" | "modified" | "deleted" {
  switch (type) {
    case "ADDED":
      return "added";
    case "MODIFIED":
      return "modified";
    case "DELETED":
      return "deleted";
  }
}

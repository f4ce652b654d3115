// What the reflector does when a watch ends: the decision alone, as data, so every case is
// table-tested (client-go: the error handling at the end of Reflector.watch / ListAndWatch).
import type { Backoff } from "./backoff.js";

/** How a watch ended. */
export type WatchEnd =
  /** The API server ended the stream: its timeoutSeconds ran out, or it is shutting down. */
  | { readonly kind: "closed" }
  /** 410 Gone: the resourceVersion is older than the API server's history. */
  | { readonly kind: "expired"; readonly error: unknown }
  /** Anything else: refused connection, broken stream, error status, garbage on the wire. */
  | { readonly kind: "failed"; readonly error: unknown };

export interface WatchRun {
  readonly end: WatchEnd;
  /** Events received, bookmarks included. */
  readonly events: number;
  readonly durationMs: number;
}

/** Why a LIST is made. */
export type ListReason = "start" | "expired" | "error";

export type NextStep =
  /** Watch again at once from the last resourceVersion seen: nothing was missed. */
  | { readonly action: "watch" }
  /** List again after `delayMs` (0: at once). */
  | { readonly action: "relist"; readonly delayMs: number; readonly reason: ListReason };

/** A watch that ran at least this long without an event still counts as healthy. */
export const MIN_HEALTHY_WATCH_MS = 1_000;

/**
 * A watch that made progress (delivered an event, or ran for `minHealthyWatchMs`) proves the
 * API server is fine: the back-off resets. One that made none counts as a failure whatever its
 * ending, so a server that ends every watch at once cannot turn the reflector into a busy loop
 * (client-go: "very short watch").
 *
 * - closed after progress → watch again at once. This is the common case on a quiet node, and
 *   re-watching without delay is what keeps its event latency low.
 * - expired → relist (at once after progress; else after the back-off).
 * - failed, or closed without progress → relist after the back-off: the API server may have
 *   lost our place in its history (a restart rebuilds its watch cache), and a LIST is the one
 *   answer that is right either way.
 */
export function nextAfterWatch(run: WatchRun, backoff: Backoff, minHealthyWatchMs = MIN_HEALTHY_WATCH_MS): NextStep {
  const progressed = run.events > 0 || run.durationMs >= minHealthyWatchMs;
  if (progressed) backoff.reset();
  switch (run.end.kind) {
    case "closed":
      return progressed ? { action: "watch" } : { action: "relist", delayMs: backoff.next(), reason: "error" };
    case "expired":
      return { action: "relist", delayMs: progressed ? 0 : backoff.next(), reason: "expired" };
    case "failed":
      return { action: "relist", delayMs: backoff.next(), reason: "error" };
    default: {
      const never: never = run.end;
      throw new Error(`unknown watch end ${JSON.stringify(never)}`);
    }
  }
}

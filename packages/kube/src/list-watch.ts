// The seam between the reflector and the API server (client-go: cache.ListerWatcher). The HTTP
// implementation is in http-list-watch.ts; unit tests hand the reflector a scripted fake.

/**
 * A Kubernetes object exactly as the API server sent it: parsed JSON and nothing else.
 * Timestamps stay RFC 3339 strings and fields this client does not know survive — unlike the
 * typed client-node models, whose deserializer turns timestamps into Date objects and drops
 * unknown fields.
 */
export type RawObject = Record<string, unknown>;

export interface RawList {
  readonly items: readonly RawObject[];
  /** The list's resourceVersion: the point a watch continues from. */
  readonly resourceVersion: string;
}

/** One event of a watch stream. ERROR events never appear: they are thrown as KubeApiError. */
export type WatchEvent =
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: RawObject; readonly resourceVersion: string }
  /** Progress without a change (allowWatchBookmarks): the resourceVersion the watch has reached. */
  | { readonly type: "BOOKMARK"; readonly resourceVersion: string };

export interface WatchRequest {
  readonly resourceVersion: string;
  /** Server-side timeout: the API server ends the watch cleanly after this many seconds. */
  readonly timeoutSeconds: number;
  readonly signal: AbortSignal;
}

export interface ListerWatcher {
  /** A consistent LIST. Throws KubeApiError (or a network error). */
  list(signal: AbortSignal): Promise<RawList>;
  /**
   * Resolves once the API server accepted the watch; the events end when the server closes the
   * stream. Throws (on open, or while iterating) KubeApiError — 410 when `resourceVersion` is
   * too old — a network error, or MalformedResponseError.
   */
  watch(request: WatchRequest): Promise<AsyncIterable<WatchEvent>>;
}

// ListerWatcher over the API server's REST API: LIST and WATCH on one collection with a
// field selector, raw JSON in and out.
import type { KubeConfig } from "@kubernetes/client-node";
import type { ListerWatcher, WatchEvent, WatchRequest } from "./list-watch.js";
import { apiGet, lines, readText } from "./raw-http.js";
import { decodeList, decodeWatchLine } from "./wire.js";

/**
 * If the server has not ended a watch this long after its timeoutSeconds, the connection is
 * dead (a half-open TCP connection): give up on it rather than wait forever.
 */
const WATCH_DEADLINE_GRACE_MS = 30_000;

export interface CollectionSelector {
  /** The collection's path, e.g. "/api/v1/pods" (all namespaces). */
  readonly path: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
}

export function httpListerWatcher(kc: KubeConfig, collection: CollectionSelector): ListerWatcher {
  const selectors: Record<string, string> = {};
  if (collection.fieldSelector !== undefined) selectors["fieldSelector"] = collection.fieldSelector;
  if (collection.labelSelector !== undefined) selectors["labelSelector"] = collection.labelSelector;

  return {
    async list(signal) {
      // No resourceVersion: a consistent read, so a pod deleted a moment ago is not listed
      // (RV "0" may answer from a stale cache and resurrect it). No paging: one node's pods
      // are few, and the API server serves the spec.nodeName selector from its indexed cache.
      const res = await apiGet(kc, collection.path, selectors, signal);
      return decodeList(await readText(res));
    },

    async watch(request: WatchRequest) {
      const deadline = AbortSignal.timeout(request.timeoutSeconds * 1000 + WATCH_DEADLINE_GRACE_MS);
      const res = await apiGet(
        kc,
        collection.path,
        {
          ...selectors,
          watch: "true",
          resourceVersion: request.resourceVersion,
          allowWatchBookmarks: "true",
          timeoutSeconds: String(request.timeoutSeconds),
        },
        AbortSignal.any([request.signal, deadline]),
      );
      return (async function* events(): AsyncGenerator<WatchEvent, void, undefined> {
        for await (const line of lines(res)) yield decodeWatchLine(line);
      })();
    },
  };
}

/** LIST/WATCH of the pods bound to one node, in every namespace (what the kubelet watches). */
export function podListerWatcher(kc: KubeConfig, nodeName: string): ListerWatcher {
  return httpListerWatcher(kc, { path: "/api/v1/pods", fieldSelector: `spec.nodeName=${nodeName}` });
}

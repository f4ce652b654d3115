// Decoding the API server's JSON wire format: list bodies and watch-stream lines.
// Pure, so the odd cases (ERROR events, bookmarks, garbage) are unit-tested without a server.
import { MalformedResponseError, errorFromStatus } from "./errors.js";
import type { RawList, RawObject, WatchEvent } from "./list-watch.js";

function isObject(value: unknown): value is RawObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MalformedResponseError(`${what} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** metadata.resourceVersion of an object or list; every object the API server sends has one. */
export function resourceVersionOf(obj: RawObject, what: string): string {
  const metadata = obj["metadata"];
  const rv = isObject(metadata) ? metadata["resourceVersion"] : undefined;
  if (typeof rv !== "string" || rv === "") throw new MalformedResponseError(`${what} has no metadata.resourceVersion`);
  return rv;
}

/** A LIST response body (`{kind: "PodList", metadata: {resourceVersion}, items: [...]}`). */
export function decodeList(body: string): RawList {
  const list = parseJson(body, "list response");
  if (!isObject(list)) throw new MalformedResponseError("list response is not an object");
  const items = list["items"] ?? [];
  if (!Array.isArray(items) || !items.every(isObject)) {
    throw new MalformedResponseError("list response items are not objects");
  }
  return { items, resourceVersion: resourceVersionOf(list, "list response") };
}

/**
 * One line of a watch stream (`{"type": "...", "object": {...}}`). An ERROR event carries a
 * metav1.Status and is thrown as KubeApiError — 410 means the resourceVersion expired.
 */
export function decodeWatchLine(line: string): WatchEvent {
  const event = parseJson(line, "watch event");
  if (!isObject(event) || typeof event["type"] !== "string" || !isObject(event["object"])) {
    throw new MalformedResponseError(`watch event without type and object: ${line.slice(0, 200)}`);
  }
  const object = event["object"];
  const type = event["type"];
  switch (type) {
    case "ERROR":
      throw errorFromStatus(500, object);
    case "BOOKMARK":
      return { type, resourceVersion: resourceVersionOf(object, "BOOKMARK event") };
    case "ADDED":
    case "MODIFIED":
    case "DELETED":
      return { type, object, resourceVersion: resourceVersionOf(object, `${type} event`) };
    default:
      throw new MalformedResponseError(`unknown watch event type "${type}"`);
  }
}

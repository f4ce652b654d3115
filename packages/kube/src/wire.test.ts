import assert from "node:assert/strict";
import { test } from "node:test";
import { KubeApiError, MalformedResponseError, isResourceExpired } from "./errors.js";
import { decodeList, decodeWatchLine } from "./wire.js";

const pod = { metadata: { name: "p", resourceVersion: "12", creationTimestamp: "2026-11-28T06:20:14Z" } };

test("a watch event keeps the object as sent, timestamps as strings", () => {
  const event = decodeWatchLine(JSON.stringify({ type: "ADDED", object: pod }));
  assert.deepEqual(event, { type: "ADDED", object: pod, resourceVersion: "12" });
});

test("a bookmark carries only the resourceVersion it reached", () => {
  const line = JSON.stringify({ type: "BOOKMARK", object: { kind: "Pod", metadata: { resourceVersion: "99" } } });
  assert.deepEqual(decodeWatchLine(line), { type: "BOOKMARK", resourceVersion: "99" });
});

test("an ERROR event with 410 is thrown as an expired resource version", () => {
  const status = { kind: "Status", status: "Failure", code: 410, reason: "Expired", message: "too old resource version: 1 (200)" };
  assert.throws(
    () => decodeWatchLine(JSON.stringify({ type: "ERROR", object: status })),
    (err: unknown) => err instanceof KubeApiError && err.status === 410 && isResourceExpired(err),
  );
});

test("an ERROR event with another code is a plain API error", () => {
  const status = { kind: "Status", code: 500, reason: "InternalError", message: "etcd is sad" };
  assert.throws(
    () => decodeWatchLine(JSON.stringify({ type: "ERROR", object: status })),
    (err: unknown) => err instanceof KubeApiError && err.status === 500 && !isResourceExpired(err) && err.message === "etcd is sad",
  );
});

test("garbage on a watch stream is a malformed response, never a crash", () => {
  for (const line of ["{not json", "[]", '{"type":"ADDED"}', '{"type":"WHAT","object":{}}', '{"type":"ADDED","object":{}}']) {
    assert.throws(() => decodeWatchLine(line), MalformedResponseError, line);
  }
});

test("a list body gives its items and its resourceVersion", () => {
  const body = JSON.stringify({ kind: "PodList", metadata: { resourceVersion: "40" }, items: [pod] });
  assert.deepEqual(decodeList(body), { items: [pod], resourceVersion: "40" });
  // An empty list may come without items at all.
  assert.deepEqual(decodeList('{"metadata":{"resourceVersion":"41"}}'), { items: [], resourceVersion: "41" });
  assert.throws(() => decodeList('{"items":[]}'), MalformedResponseError);
  assert.throws(() => decodeList('{"metadata":{"resourceVersion":"1"},"items":[1]}'), MalformedResponseError);
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  array, decode, integer, nonEmptyString, object, oneOf, optional, record, string, taggedUnion, ValidationError,
} from "./schema.js";

const container = object({ name: nonEmptyString, restarts: optional(integer) });
const message = taggedUnion("kind", {
  upsert: object({ kind: oneOf("upsert"), containers: array(container), labels: optional(record(string)) }),
  deleted: object({ kind: oneOf("deleted"), uid: nonEmptyString }),
});

describe("schema", () => {
  const ok: Array<[string, unknown, unknown]> = [
    ["minimal upsert", { kind: "upsert", containers: [] }, { kind: "upsert", containers: [] }],
    [
      "optional fields kept, unknown fields dropped",
      { kind: "upsert", containers: [{ name: "a", restarts: 2, extra: true }], labels: { x: "y" }, future: 1 },
      { kind: "upsert", containers: [{ name: "a", restarts: 2 }], labels: { x: "y" } },
    ],
    ["other member", { kind: "deleted", uid: "u1" }, { kind: "deleted", uid: "u1" }],
  ];
  for (const [name, input, want] of ok) {
    test(`accepts: ${name}`, () => assert.deepEqual(message(input, ""), want));
  }

  const bad: Array<[string, unknown, string]> = [
    ["not an object", 42, "message: expected an object, got number"],
    ["unknown kind", { kind: "nope" }, "kind: expected one of upsert | deleted, got \"nope\""],
    ["missing field", { kind: "deleted" }, "uid: is required"],
    ["empty string", { kind: "deleted", uid: "" }, "uid: expected a non-empty string"],
    ["nested path", { kind: "upsert", containers: [{ name: "a" }, { name: 3 }] }, "containers[1].name: expected a string, got number"],
    ["non-integer", { kind: "upsert", containers: [{ name: "a", restarts: 1.5 }] }, "containers[0].restarts: expected an integer, got number"],
    ["null optional", { kind: "upsert", containers: [], labels: null }, "labels: expected an object, got null"],
    ["record value", { kind: "upsert", containers: [], labels: { a: 1 } }, "labels.a: expected a string, got number"],
  ];
  for (const [name, input, want] of bad) {
    test(`rejects: ${name}`, () => {
      assert.throws(() => message(input, ""), (err: unknown) => err instanceof ValidationError && err.message === want);
    });
  }

  test("decode rejects malformed JSON with a ValidationError", () => {
    assert.throws(() => decode(message, "{nope"), (err: unknown) => err instanceof ValidationError && /not JSON/.test(err.message));
  });
  test("decode parses bytes", () => {
    assert.deepEqual(decode(message, new TextEncoder().encode('{"kind":"deleted","uid":"u"}')), { kind: "deleted", uid: "u" });
  });
});

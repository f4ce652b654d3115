import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseLogOptions } from "./log-options.js";

const NOW = Date.parse("2026-01-02T03:04:05Z");

describe("parseLogOptions", () => {
  const cases: [string, ReturnType<typeof parseLogOptions>][] = [
    ["", { follow: false, previous: false, timestamps: false }],
    ["follow=true&previous=1&timestamps=True", { follow: true, previous: true, timestamps: true }],
    ["follow=false", { follow: false, previous: false, timestamps: false }],
    ["tailLines=10", { follow: false, previous: false, timestamps: false, tailLines: 10 }],
    ["tailLines=0", { follow: false, previous: false, timestamps: false, tailLines: 0 }],
    ["tailLines=-1", { error: "tailLines: must be greater than or equal to 0" }],
    ["tailLines=abc", { error: 'tailLines: invalid integer "abc"' }],
    ["sinceSeconds=60", { follow: false, previous: false, timestamps: false, sinceMs: NOW - 60_000 }],
    ["sinceSeconds=0", { error: "sinceSeconds: must be greater than or equal to 1" }],
    ["sinceTime=2026-01-01T00:00:00Z", { follow: false, previous: false, timestamps: false, sinceMs: Date.parse("2026-01-01T00:00:00Z") }],
    ["sinceTime=yesterday", { error: 'sinceTime: invalid RFC3339 time "yesterday"' }],
    ["sinceTime=2026-01-01T00:00:00Z&sinceSeconds=5", { error: "at most one of sinceTime or sinceSeconds may be specified" }],
    ["limitBytes=100", { follow: false, previous: false, timestamps: false, limitBytes: 100 }],
    ["limitBytes=0", { error: "limitBytes: must be greater than or equal to 1" }],
    ["follow=maybe", { error: 'follow: invalid boolean "maybe"' }],
  ];
  for (const [q, want] of cases) test(q || "(empty)", () => assert.deepEqual(parseLogOptions(new URLSearchParams(q), NOW), want));
});

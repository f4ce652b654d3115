import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prettyLine } from "./pretty.js";

describe("pretty log lines", () => {
  const cases: { name: string; json: string; want: string }[] = [
    {
      name: "head and fields",
      json: JSON.stringify({ level: 30, time: "2026-11-28T09:10:11.123Z", service: "sync-loop", node: "n1", msg: "ready", healthPort: 8080 }),
      want: "09:10:11.123 INFO  [sync-loop] ready  healthPort=8080\n",
    },
    {
      name: "strings with spaces are quoted, objects are JSON",
      json: JSON.stringify({ level: 40, time: "2026-11-28T09:10:11.123Z", service: "s", msg: "m", err: "a b", pod: { ns: "d" } }),
      want: '09:10:11.123 WARN  [s] m  err="a b" pod={"ns":"d"}\n',
    },
    { name: "not JSON passes through", json: "plain text", want: "plain text\n" },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(prettyLine(c.json, false), c.want));
  }
  it("colors the level for a terminal", () => {
    const line = prettyLine(JSON.stringify({ level: 50, time: "2026-11-28T09:10:11.123Z", msg: "x" }), true);
    assert.ok(line.includes("\u001b[31mERROR\u001b[0m"), line);
  });
});

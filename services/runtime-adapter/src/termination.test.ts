import assert from "node:assert/strict";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { makeTempDir, removeDir } from "@natslet/testkit";
import { criLogTail, TerminationMessages } from "./termination.js";

const dir = makeTempDir("termination-test");
after(() => removeDir(dir));

describe("criLogTail", () => {
  test("strips the CRI prefix and joins partial lines", () => {
    const raw = [
      "2026-11-28T06:20:14.1Z stdout F first",
      "2026-11-28T06:20:14.2Z stderr P par",
      "2026-11-28T06:20:14.3Z stderr F tial",
      "",
    ].join("\n");
    assert.equal(criLogTail(raw), "first\npartial\n");
  });
  test("the last 80 entries only", () => {
    const raw = Array.from({ length: 100 }, (_, i) => `2026-11-28T06:20:14Z stdout F line ${i}`).join("\n");
    const tail = criLogTail(raw);
    assert.equal(tail.split("\n").filter(Boolean).length, 80);
    assert.ok(tail.startsWith("line 20\n"));
  });
  test("at most the last 2048 bytes, never half a character", () => {
    const raw = `2026-11-28T06:20:14Z stdout F ${"é".repeat(1500)}\n`;
    const tail = criLogTail(raw);
    assert.ok(Buffer.byteLength(tail) <= 2048);
    assert.match(tail, /^é+\n$/);
  });
  test("a text cut from a longer file drops its incomplete first line", () => {
    assert.equal(criLogTail("ut F cut\n2026-11-28T06:20:14Z stdout F whole\n", { startsMidLine: true }), "whole\n");
  });
});

describe("TerminationMessages", () => {
  const messages = new TerminationMessages(dir);

  test("prepare creates an empty world-writable file per attempt and keeps an existing one", async () => {
    const path = await messages.prepare("uid-1", "app", 0);
    assert.equal(path, join(dir, "pods", "uid-1", "containers", "app", "0"));
    assert.equal(statSync(path).mode & 0o777, 0o666);
    writeFileSync(path, "written by the container");
    await messages.prepare("uid-1", "app", 0);
    assert.equal(await messages.read({ podUid: "uid-1", name: "app", attempt: 0, exitCode: 0, policy: "File", logPath: "" }), "written by the container");
  });

  test("only the last 4096 bytes of the file", async () => {
    const path = await messages.prepare("uid-1", "big", 0);
    writeFileSync(path, "x".repeat(5000) + "END");
    const read = await messages.read({ podUid: "uid-1", name: "big", attempt: 0, exitCode: 1, policy: "File", logPath: "" });
    assert.equal(read?.length, 4096);
    assert.ok(read?.endsWith("END"));
  });

  test("FallbackToLogsOnError: the log tail for an empty file and a failed exit only", async () => {
    await messages.prepare("uid-1", "logs", 0);
    const logPath = join(dir, "0.log");
    writeFileSync(logPath, "2026-11-28T06:20:14Z stderr F it broke\n");
    const base = { podUid: "uid-1", name: "logs", attempt: 0, logPath };
    assert.equal(await messages.read({ ...base, exitCode: 2, policy: "FallbackToLogsOnError" }), "it broke\n");
    assert.equal(await messages.read({ ...base, exitCode: 0, policy: "FallbackToLogsOnError" }), undefined, "exit 0: no fallback");
    assert.equal(await messages.read({ ...base, exitCode: 2, policy: "File" }), undefined, "policy File: no fallback");
  });

  test("no file, no message; unsafe names are refused; removePod removes the pod's files", async () => {
    assert.equal(await messages.read({ podUid: "nope", name: "app", attempt: 0, exitCode: 1, policy: "File", logPath: "" }), undefined);
    await assert.rejects(messages.prepare("../etc", "app", 0), /cannot be a path segment/);
    await messages.removePod("uid-1");
    assert.throws(() => statSync(join(dir, "pods", "uid-1")), /ENOENT/);
  });
});

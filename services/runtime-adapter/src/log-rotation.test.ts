import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createLogger } from "@natslet/telemetry";
import { LogRotator, rotatedFiles } from "./log-rotation.js";

const dir = mkdtempSync(join(tmpdir(), "natslet-rotation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A runtime that "reopens" by creating a fresh file, as containerd does; or fails as told. */
function fakeCri(logPath: string, fail?: Error) {
  const reopened: string[] = [];
  return {
    reopened,
    cri: {
      reopenContainerLog: (req: { containerId?: string }) => {
        if (fail) return Promise.reject(fail);
        reopened.push(req.containerId ?? "");
        writeFileSync(logPath, "");
        return Promise.resolve({});
      },
    },
  };
}

const log = createLogger({ service: "test", node: "n", level: "silent" });
const noLogs = () => Promise.resolve([]);

describe("LogRotator.rotateOne", () => {
  test("small files stay; big ones are renamed, reopened, and the oldest dropped beyond maxFiles", async () => {
    const sub = mkdtempSync(join(dir, "c-"));
    const logPath = join(sub, "0.log");
    const { cri, reopened } = fakeCri(logPath);
    let second = 0;
    const rotator = new LogRotator(cri, noLogs, { maxBytes: 10, maxFiles: 3, periodMs: 1000 }, log, () => new Date(Date.UTC(2026, 0, 1, 0, 0, second)));
    writeFileSync(logPath, "short");
    assert.equal(await rotator.rotateOne("c1", logPath), false);
    for (let i = 0; i < 4; i++) {
      writeFileSync(logPath, `generation-${i}-long-enough`);
      second = i;
      assert.equal(await rotator.rotateOne("c1", logPath), true);
    }
    assert.deepEqual(reopened, ["c1", "c1", "c1", "c1"]);
    // maxFiles 3 = the live file + 2 rotated ones, the newest.
    assert.deepEqual(readdirSync(sub).sort(), ["0.log", "0.log.20260101-000002", "0.log.20260101-000003"]);
    assert.equal(readFileSync(join(sub, "0.log.20260101-000003"), "utf8"), "generation-3-long-enough");
    assert.deepEqual(await rotatedFiles(logPath), [join(sub, "0.log.20260101-000002"), join(sub, "0.log.20260101-000003")]);
  });

  test("a failed reopen puts the file back", async () => {
    const sub = mkdtempSync(join(dir, "c-"));
    const logPath = join(sub, "0.log");
    const rotator = new LogRotator(fakeCri(logPath, new Error("runtime down")).cri, noLogs, { maxBytes: 1, maxFiles: 5, periodMs: 1000 }, log);
    writeFileSync(logPath, "data");
    await assert.rejects(rotator.rotateOne("c1", logPath), /runtime down/);
    assert.deepEqual(readdirSync(sub), ["0.log"]);
    assert.equal(readFileSync(logPath, "utf8"), "data");
  });
});

test("rotateAll: a container that fails every pass does not stop the others from rotating", async () => {
  const sub = mkdtempSync(join(dir, "c-"));
  const paths: Record<string, string> = { bad: join(sub, "bad.log"), good: join(sub, "good.log") };
  for (const p of Object.values(paths)) writeFileSync(p, "big enough to rotate");
  const reopened: string[] = [];
  const warnings: string[] = [];
  const cri = {
    reopenContainerLog: (req: { containerId?: string }) => {
      if (req.containerId === "bad") return Promise.reject(new Error("runtime refuses"));
      reopened.push(req.containerId ?? "");
      writeFileSync(paths[req.containerId ?? ""]!, "");
      return Promise.resolve({});
    },
  };
  const warnLog = { ...log, warn: (obj: { containerId: string }) => warnings.push(obj.containerId), debug: () => undefined } as unknown as typeof log;
  const running = () => Promise.resolve(Object.entries(paths).map(([id, logPath]) => ({ id, logPath })));
  const rotator = new LogRotator(cri, running, { maxBytes: 1, maxFiles: 5, periodMs: 1000 }, warnLog);
  await rotator.rotateAll();
  assert.deepEqual(reopened, ["good"]);
  assert.deepEqual(warnings, ["bad"]);
  assert.equal(readdirSync(sub).filter((n) => n.startsWith("good.log.")).length, 1);
  assert.equal(readFileSync(join(sub, "bad.log"), "utf8"), "big enough to rotate"); // put back after the failed reopen
});

// streamContainerLog against real files on disk: rotated files, tail across them, follow across
// a rotation, the end of a follow, a client that goes away, and a big file with bounded memory.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { tailPosition } from "./log-files.js";
import type { LogOptions } from "./log-options.js";
import { openWatchers, streamContainerLog } from "./log-stream.js";

const root = mkdtempSync(join(tmpdir(), "natslet-node-api-logs-"));
after(() => rmSync(root, { recursive: true, force: true }));

const T = "2026-01-02T03:04:05.000000001Z";
const cri = (text: string, stream = "stdout") => `${T} ${stream} F ${text}\n`;
const base: LogOptions = { follow: false, previous: false, timestamps: false };

function container(): string {
  const dir = mkdtempSync(join(root, "c-"));
  return join(dir, "0.log");
}

async function read(logPath: string, options: Partial<LogOptions>, running = () => false, signal = new AbortController().signal): Promise<string> {
  const chunks: Buffer[] = [];
  await streamContainerLog({
    logPath, options: { ...base, ...options }, running, signal, pollMs: 20,
    write: (c) => {
      chunks.push(Buffer.from(c));
      return Promise.resolve(true);
    },
  });
  return Buffer.concat(chunks).toString();
}

describe("reading", () => {
  test("rotated files first, then the live one; tail across files", async () => {
    const logPath = container();
    writeFileSync(`${logPath}.20260101-000001`, cri("a") + cri("b"));
    writeFileSync(`${logPath}.20260101-000002`, cri("c"));
    writeFileSync(`${logPath}.20260101-000002.gz`, "not read");
    writeFileSync(logPath, cri("d") + cri("e", "stderr"));
    assert.equal(await read(logPath, {}), "a\nb\nc\nd\ne\n");
    assert.equal(await read(logPath, { tailLines: 3 }), "c\nd\ne\n");
    assert.equal(await read(logPath, { tailLines: 4 }), "b\nc\nd\ne\n");
    assert.equal(await read(logPath, { tailLines: 100 }), "a\nb\nc\nd\ne\n");
    assert.equal(await read(logPath, { tailLines: 0 }), "");
    assert.equal(await read(logPath, { limitBytes: 5 }), "a\nb\nc");
  });

  test("tail scans backwards across chunk boundaries", async () => {
    const logPath = container();
    const long = "x".repeat(70_000);
    writeFileSync(logPath, cri("first") + cri(long) + cri("last"));
    const fh = await open(logPath, "r");
    try {
      assert.deepEqual(await tailPosition([fh], 1), { file: 0, offset: Buffer.byteLength(cri("first") + cri(long)) });
    } finally {
      await fh.close();
    }
    assert.equal(await read(logPath, { tailLines: 2 }), `${long}\nlast\n`);
  });

  test("an unfinished last line is not printed without follow", async () => {
    const logPath = container();
    writeFileSync(logPath, cri("done") + `${T} stdout F half`);
    assert.equal(await read(logPath, {}), "done\n");
  });
});


/**
 * Follows `logPath` (polling every 20 ms) while `running()`, collecting every chunk written. With
 * `held`, the first write waits until `release()`: a slow client keeps the reader on that file.
 */
function follower(
  logPath: string,
  running: () => boolean,
  opts: { signal?: AbortSignal; held?: boolean } = {},
): { out: string[]; done: Promise<void>; release: () => void } {
  const out: string[] = [];
  let release = (): void => undefined;
  let held = opts.held ? new Promise<void>((r) => (release = r)) : undefined;
  const done = streamContainerLog({
    logPath, options: { ...base, follow: true }, running, signal: opts.signal ?? new AbortController().signal, pollMs: 20,
    write: async (c) => {
      out.push(c.toString());
      const wait = held;
      held = undefined;
      await wait;
      return true;
    },
  });
  return { out, done, release };
}
test("a rotation during a read does not lose the renamed file", async () => {
  const logPath = container();
  writeFileSync(`${logPath}.20260101-000001`, cri("old"));
  writeFileSync(logPath, cri("live"));
  let renamed = false;
  const chunks: string[] = [];
  await streamContainerLog({
    logPath, options: base, running: () => false, signal: new AbortController().signal,
    write: (c) => {
      chunks.push(c.toString());
      if (!renamed) {
        // Rotate while the reader is still on the first file: the live file gets a new name.
        renamed = true;
        renameSync(logPath, `${logPath}.20260101-000002`);
        writeFileSync(logPath, cri("newer"));
      }
      return Promise.resolve(true);
    },
  });
  assert.equal(chunks.join(""), "old\nlive\n");
});

test("follow: two rotations while the reader is held back lose neither file", async () => {
  const logPath = container();
  writeFileSync(logPath, cri("a"));
  let alive = true;
  const { out, done, release } = follower(logPath, () => alive, { held: true });
  await sleep(50);
  // Two rotations as the runtime-adapter does them, while the reader is still on the first file.
  renameSync(logPath, `${logPath}.20260101-000001`);
  writeFileSync(logPath, cri("b"));
  renameSync(logPath, `${logPath}.20260101-000002`);
  writeFileSync(logPath, cri("c"));
  release();
  await sleep(150);
  appendFileSync(logPath, cri("d"));
  await sleep(100);
  alive = false;
  await done;
  assert.equal(out.join(""), "a\nb\nc\nd\n");
});

test("follow: a reader two rotations behind reaches the newest lines while the live file stays empty", async () => {
  // The e2e "large log" failure: the container wrote its last line, the last full file was
  // rotated, the new live file stays empty (the container only sleeps now), and a slow client
  // kept the reader on an older file. The rotated file in between must not wait for the live
  // file to get data (which may be never).
  const logPath = container();
  writeFileSync(logPath, cri("a"));
  const abort = new AbortController();
  const { out, done, release } = follower(logPath, () => true, { signal: abort.signal, held: true });
  await sleep(50);
  renameSync(logPath, `${logPath}.20260101-000001`);
  writeFileSync(logPath, cri("b") + cri("last"));
  renameSync(logPath, `${logPath}.20260101-000002`);
  writeFileSync(logPath, ""); // reopened; the container writes nothing more
  release();
  await sleep(300);
  const seen = out.join("");
  abort.abort();
  await done;
  assert.equal(seen, "a\nb\nlast\n", "the rotated file's lines are streamed while the container still runs");
});

test("follow: lines the runtime writes to the old file between the rename and its reopen are neither lost nor held back", async () => {
  const logPath = container();
  writeFileSync(logPath, cri("a"));
  let alive = true;
  const { out, done } = follower(logPath, () => alive);
  await sleep(80);
  const rotated = `${logPath}.20260101-000001`;
  renameSync(logPath, rotated);
  writeFileSync(logPath, ""); // reopened, nothing written to it yet
  await sleep(80);
  appendFileSync(rotated, cri("b")); // still going to the old file
  await sleep(150);
  assert.equal(out.join(""), "a\nb\n", "the old file's new line is passed on while the new file is empty");
  appendFileSync(logPath, cri("c"));
  await sleep(80);
  alive = false;
  await done;
  assert.equal(out.join(""), "a\nb\nc\n");
});

describe("follow", () => {
  test("follows writes and a rotation, ends once the container stops", async () => {
    const logPath = container();
    writeFileSync(logPath, cri("l0"));
    let alive = true;
    const { out, done } = follower(logPath, () => alive);
    await sleep(100);
    appendFileSync(logPath, cri("l1"));
    await sleep(100);
    // Rotation as runtime-adapter does it: rename, then the runtime reopens a new file.
    appendFileSync(logPath, cri("l2"));
    renameSync(logPath, `${logPath}.20260101-000001`);
    await sleep(50);
    writeFileSync(logPath, cri("l3"));
    await sleep(100);
    appendFileSync(logPath, cri("l4"));
    await sleep(100);
    alive = false;
    await done;
    assert.equal(out.join(""), "l0\nl1\nl2\nl3\nl4\n");
    assert.equal(openWatchers.count, 0);
  });

  test("a client that goes away ends the follow and frees its watcher", async () => {
    const logPath = container();
    writeFileSync(logPath, cri("x"));
    const abort = new AbortController();
    const done = read(logPath, { follow: true }, () => true, abort.signal);
    await sleep(100);
    assert.equal(openWatchers.count, 1);
    abort.abort();
    assert.equal(await done, "x\n");
    assert.equal(openWatchers.count, 0);
  });

  test("follow of a file that appears later", async () => {
    const logPath = container();
    let alive = true;
    const done = read(logPath, { follow: true }, () => alive);
    await sleep(60);
    writeFileSync(logPath, cri("late"));
    await sleep(100);
    alive = false;
    assert.equal(await done, "late\n");
  });
});

test("a 64 MiB log streams with bounded memory", async () => {
  const logPath = container();
  const line = cri("y".repeat(1000));
  const block = line.repeat(1024); // ~1 MiB
  writeFileSync(logPath, "");
  for (let i = 0; i < 64; i++) appendFileSync(logPath, block);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let bytes = 0;
  let peak = 0;
  await streamContainerLog({
    logPath, options: base, running: () => false, signal: new AbortController().signal,
    write: async (c) => {
      bytes += c.length;
      peak = Math.max(peak, process.memoryUsage().rss);
      await sleep(0); // a consumer that takes its time: the reader must wait, not buffer
      return true;
    },
  });
  assert.equal(bytes, 64 * 1024 * 1001);
  const grew = (peak - before) / 1024 / 1024;
  assert.ok(grew < 32, `RSS grew ${grew.toFixed(1)} MiB while streaming 64 MiB`);
});

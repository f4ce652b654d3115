import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyedWorker } from "./keyed-worker.js";

/** A run that waits until released, so tests control interleaving exactly. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  return { opened, release };
}

test("work for one key never overlaps and the latest value wins", async () => {
  const runs: string[] = [];
  let active = 0;
  const first = gate();
  const worker = new KeyedWorker<string>({
    run: async (_key, value) => {
      active++;
      assert.equal(active, 1, "no overlap");
      runs.push(value);
      if (value === "v1") await first.opened;
      active--;
    },
    onError: (_k, err) => assert.fail(String(err)),
  });
  worker.submit("pod", "v1");
  worker.submit("pod", "v2"); // queued
  worker.submit("pod", "v3"); // replaces v2
  first.release();
  await worker.settled();
  assert.deepEqual(runs, ["v1", "v3"]);
});

test("keys run in parallel, and an error does not stop the key's worker", async () => {
  const started: string[] = [];
  const errors: string[] = [];
  const a = gate();
  const worker = new KeyedWorker<number>({
    run: async (key, value) => {
      started.push(`${key}${value}`);
      if (key === "a" && value === 1) await a.opened;
      if (key === "b" && value === 1) throw new Error("boom");
    },
    onError: (key, err) => errors.push(`${key}:${(err as Error).message}`),
  });
  worker.submit("a", 1);
  worker.submit("b", 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ["a1", "b1"], "b ran while a was blocked");
  worker.submit("b", 2);
  a.release();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(errors, ["b:boom"]);
  assert.ok(started.includes("b2"), "b's worker ran again after its error");
  assert.equal(worker.isBusy("a"), false);
  await worker.close();
});

test("close drops queued values and waits for the running one", async () => {
  const runs: number[] = [];
  const g = gate();
  const worker = new KeyedWorker<number>({
    run: async (_k, v) => {
      runs.push(v);
      if (v === 1) await g.opened;
    },
    onError: () => undefined,
  });
  worker.submit("k", 1);
  worker.submit("k", 2);
  const closed = worker.close();
  g.release();
  await closed;
  worker.submit("k", 3); // ignored after close
  assert.deepEqual(runs, [1]);
});

test("merge decides what a queued value becomes when a newer one arrives", async () => {
  const runs: string[] = [];
  const first = gate();
  const worker = new KeyedWorker<string>({
    run: async (_key, value) => {
      runs.push(value);
      if (value === "update") await first.opened;
    },
    onError: (_k, err) => assert.fail(String(err)),
    // A queued "update" is not displaced by a plain "resync".
    merge: (queued, next) => (next === "resync" && queued !== "resync" ? queued : next),
  });
  worker.submit("pod", "update"); // runs
  worker.submit("pod", "update2"); // queued
  worker.submit("pod", "resync"); // merged away: update2 stays
  first.release();
  await worker.settled();
  worker.submit("pod", "resync"); // nothing queued: runs as is
  await worker.settled();
  assert.deepEqual(runs, ["update", "update2", "resync"]);
});

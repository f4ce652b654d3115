import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { KeyedLock } from "./keyed-lock.js";

test("KeyedLock: same key in turn, other keys in parallel, a failure does not block the key", async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  const step = (name: string, ms: number) => async () => {
    order.push(`${name}:start`);
    await sleep(ms);
    order.push(`${name}:end`);
    return name;
  };
  const results = await Promise.all([lock.run("a", step("a1", 20)), lock.run("a", step("a2", 1)), lock.run("b", step("b1", 1))]);
  assert.deepEqual(results, ["a1", "a2", "b1"]);
  assert.ok(order.indexOf("a1:end") < order.indexOf("a2:start"), "a2 waits for a1");
  assert.ok(order.indexOf("b1:end") < order.indexOf("a1:end"), "b1 does not wait for a1");
  await lock.settled();
  assert.equal(lock.size, 0, "nothing left behind");
  await assert.rejects(lock.run("a", () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await lock.run("a", () => Promise.resolve("after a failure")), "after a failure");
});

test("KeyedLock.settled waits for work started before it", async () => {
  const lock = new KeyedLock();
  let done = false;
  void lock.run("a", async () => {
    await sleep(20);
    done = true;
  });
  await lock.settled();
  assert.ok(done);
});

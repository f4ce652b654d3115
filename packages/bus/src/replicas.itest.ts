// Replicas coordinating through a real nats-server's JetStream KV: the member list, the
// partition of pods, the per-key lock, and what happens when a replica leaves or dies.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { startNats, type NatsServer } from "@natslet/testkit";
import { connectBus } from "./connect.js";
import { Replicas, type ReplicaLog } from "./replicas.js";

let nats: NatsServer;
const connections: NatsConnection[] = [];
const log: ReplicaLog = { info: () => undefined, warn: () => undefined };

before(async () => {
  nats = await startNats();
});
after(async () => {
  for (const nc of connections) if (!nc.isClosed()) await nc.close();
  await nats?.stop();
});

async function replica(node: string, service = "sync-loop"): Promise<{ r: Replicas; nc: NatsConnection; changes: () => number }> {
  const nc = await connectBus({ servers: nats.url, name: service });
  connections.push(nc);
  let changes = 0;
  const r = await Replicas.join(nc, { service, node, onMembersChanged: () => changes++, log });
  return { r, nc, changes: () => changes };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - start;
}

const uids = Array.from({ length: 200 }, () => randomUUID());

test("two replicas see each other and split the pods: every pod has exactly one owner", async () => {
  const a = await replica("node-split");
  const b = await replica("node-split");
  await until("both replicas to see two members", () => a.r.memberCount === 2 && b.r.memberCount === 2);
  const ownedByA = uids.filter((u) => a.r.owns(u)).length;
  assert.ok(uids.every((u) => a.r.owns(u) !== b.r.owns(u)), "each pod owned by exactly one replica");
  assert.ok(ownedByA > 60 && ownedByA < 140, `A owns ${ownedByA} of 200`);
  // Another node's replicas, and another service's on this node, are not members of this group.
  const otherNode = await replica("node-other");
  const otherService = await replica("node-split", "status-manager");
  for (const other of [otherNode, otherService]) {
    assert.equal(other.r.memberCount, 1);
    assert.ok(uids.every((u) => other.r.owns(u)));
  }
  for (const x of [a, b, otherNode, otherService]) await x.r.stop();
});

test("the pod lock: one holder at a time; released, the next one gets it", async () => {
  const a = await replica("node-lock");
  const b = await replica("node-lock");
  const uid = randomUUID();
  const held = await a.r.lock(uid);
  assert.ok(held, "A takes the free lock");
  assert.equal(await b.r.lock(uid), undefined, "B must not get a lock A holds");
  let ran = false;
  assert.equal(await b.r.withLock(uid, () => Promise.resolve(void (ran = true))), false, "withLock refuses too");
  assert.equal(ran, false, "and runs nothing");
  await held.release();
  assert.equal(await b.r.withLock(uid, () => Promise.resolve(void (ran = true))), true, "B's work runs once A released it");
  assert.equal(ran, true);
  const next = await b.r.lock(uid);
  assert.ok(next, "withLock released it again");
  await next.release();
  for (const x of [a, b]) await x.r.stop();
});

test("a replica that stops leaves at once: the other owns everything again", async () => {
  const a = await replica("node-leave");
  const b = await replica("node-leave");
  await until("two members", () => a.r.memberCount === 2 && b.r.memberCount === 2);
  const changesBefore = b.changes();
  await a.r.stop();
  const tookMs = await until("B alone", () => b.r.memberCount === 1, 10_000);
  assert.ok(b.changes() > changesBefore, "B was told the members changed (to resync what it gained)");
  assert.ok(uids.every((u) => b.r.owns(u)));
  // One heartbeat (1 s) expected; far below the 6 s a killed replica takes.
  assert.ok(tookMs < 4_000, `noticed after ${tookMs} ms (one heartbeat expected)`);
  await b.r.stop();
});

test("a replica that dies: its member key expires, its pods and its locks are taken over", async () => {
  const a = await replica("node-die");
  const b = await replica("node-die");
  await until("two members", () => a.r.memberCount === 2 && b.r.memberCount === 2);
  const uid = uids.find((u) => a.r.owns(u)) ?? "";
  assert.ok(await a.r.lock(uid), "A holds the lock of a pod it owns");
  // As in kill -9: no goodbye, the connection just ends; A's heartbeat can no longer write.
  await a.nc.close();
  assert.equal(await b.r.lock(uid), undefined, "while A's member key lives, its lock holds");
  const tookMs = await until("B to see A gone", () => b.r.memberCount === 1, 20_000);
  assert.ok(b.r.owns(uid));
  const taken = await b.r.lock(uid);
  assert.ok(taken, "B takes over the dead replica's lock");
  await taken.release();
  assert.ok(tookMs < 12_000, `A's pods moved after ${tookMs} ms (member TTL 6 s, plus a heartbeat and the server's expiry sweep)`);
  await Promise.all([a.r.stop(), b.r.stop()]);
});

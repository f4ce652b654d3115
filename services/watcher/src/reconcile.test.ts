import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "@natslet/contracts";
import { planSync, recordOf, type ListedPod, type StreamRecord } from "./reconcile.js";

function pod(name: string, resourceVersion: string): Pod {
  return {
    metadata: { uid: `uid-${name}`, name, namespace: "default", resourceVersion },
    spec: { containers: [{ name: "c", image: "busybox" }] },
  };
}

function stream(...records: StreamRecord[]): Map<string, StreamRecord> {
  return new Map(records.map((r) => [r.uid, r]));
}

const upserted = (name: string, rv: string) => recordOf({ kind: "upsert", pod: pod(name, rv) });
const tombstoned = (name: string) => recordOf({ kind: "deleted", uid: `uid-${name}`, namespace: "default", name });
const listed = (name: string, rv: string): ListedPod => ({ uid: `uid-${name}`, pod: pod(name, rv) });
const names = (pods: readonly { metadata: { name: string } }[]) => pods.map((p) => p.metadata.name);

const cases: Array<{ name: string; stream: Map<string, StreamRecord>; listed: ListedPod[]; tombstones: string[]; upserts: string[]; unchanged: number }> = [
  {
    name: "empty stream (first start): everything listed is upserted",
    stream: stream(),
    listed: [listed("a", "1"), listed("b", "2")],
    tombstones: [],
    upserts: ["a", "b"],
    unchanged: 0,
  },
  {
    name: "deleted while the watcher was down: tombstone",
    stream: stream(upserted("a", "1"), upserted("gone", "2")),
    listed: [listed("a", "1")],
    tombstones: ["gone"],
    upserts: [],
    unchanged: 1,
  },
  {
    name: "changed while down: upsert the new version",
    stream: stream(upserted("a", "1")),
    listed: [listed("a", "7")],
    tombstones: [],
    upserts: ["a"],
    unchanged: 0,
  },
  {
    name: "already tombstoned: nothing to do",
    stream: stream(tombstoned("old")),
    listed: [],
    tombstones: [],
    upserts: [],
    unchanged: 0,
  },
  {
    name: "an invalid pod that exists is neither tombstoned nor replaced",
    stream: stream(upserted("odd", "1")),
    listed: [{ uid: "uid-odd" }],
    tombstones: [],
    upserts: [],
    unchanged: 0,
  },
  {
    name: "a stream copy without resourceVersion is always refreshed",
    stream: stream({ kind: "upsert", uid: "uid-a", namespace: "default", name: "a" }),
    listed: [listed("a", "1")],
    tombstones: [],
    upserts: ["a"],
    unchanged: 0,
  },
];

for (const c of cases) {
  test(`sync plan: ${c.name}`, () => {
    const plan = planSync(c.stream, c.listed);
    assert.deepEqual(plan.tombstones.map((t) => t.name), c.tombstones);
    assert.deepEqual(names(plan.upserts), c.upserts);
    assert.equal(plan.unchanged, c.unchanged);
  });
}

test("a tombstone from the sync plan names the pod the stream held", () => {
  const plan = planSync(stream(upserted("gone", "2")), []);
  assert.deepEqual(plan.tombstones, [{ uid: "uid-gone", namespace: "default", name: "gone" }]);
});

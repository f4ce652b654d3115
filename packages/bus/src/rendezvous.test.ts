import assert from "node:assert/strict";
import { test } from "node:test";
import { rendezvousOwner } from "./rendezvous.js";

const keys = Array.from({ length: 2000 }, (_, i) => `pod-${i}`);

test("rendezvous: no members → no owner; one member owns everything", () => {
  assert.equal(rendezvousOwner([], "pod-1"), undefined);
  assert.ok(keys.every((k) => rendezvousOwner(["a"], k) === "a"));
});

test("rendezvous: the answer does not depend on the order of the members", () => {
  for (const k of keys.slice(0, 200)) assert.equal(rendezvousOwner(["a", "b", "c"], k), rendezvousOwner(["c", "a", "b"], k));
});

test("rendezvous: keys spread evenly over the members", () => {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const owner = rendezvousOwner(["a", "b", "c", "d"], k) ?? "";
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  for (const m of ["a", "b", "c", "d"]) {
    const n = counts.get(m) ?? 0;
    assert.ok(n > 400 && n < 600, `${m} owns ${n} of 2000`);
  }
});

const moves: Array<{ name: string; before: string[]; after: string[]; onlyTo?: string; onlyFrom?: string }> = [
  { name: "a member joins: keys move only to it", before: ["a", "b", "c"], after: ["a", "b", "c", "d"], onlyTo: "d" },
  { name: "a member leaves: only its keys move", before: ["a", "b", "c", "d"], after: ["a", "b", "d"], onlyFrom: "c" },
];
for (const m of moves) {
  test(`rendezvous: ${m.name}`, () => {
    let moved = 0;
    for (const k of keys) {
      const was = rendezvousOwner(m.before, k);
      const is = rendezvousOwner(m.after, k);
      if (was === is) continue;
      moved++;
      if (m.onlyTo) assert.equal(is, m.onlyTo);
      if (m.onlyFrom) assert.equal(was, m.onlyFrom);
    }
    assert.ok(moved > 300 && moved < 700, `${moved} of 2000 keys moved (about a quarter expected)`);
  });
}

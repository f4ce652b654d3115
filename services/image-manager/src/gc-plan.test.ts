import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesToFree, DEFAULT_GC_POLICY, detectImages, planGc, usagePercent, type ImageRecord } from "./gc-plan.js";

const MIN = 60_000;
const now = 100 * MIN;
const image = (id: string, over: Partial<ImageRecord> = {}): ImageRecord => ({
  id, size: 100, firstDetected: 0, lastUsed: 0, inUse: false, pinned: false, ...over,
});

test("usage percent and the bytes to free follow the kubelet's arithmetic", () => {
  assert.equal(usagePercent({ capacityBytes: 1000, availableBytes: 150 }), 85);
  assert.equal(bytesToFree({ capacityBytes: 1000, availableBytes: 160 }, DEFAULT_GC_POLICY), 0); // 84 % < 85 %
  assert.equal(bytesToFree({ capacityBytes: 1000, availableBytes: 150 }, DEFAULT_GC_POLICY), 50); // to 80 %
  assert.equal(bytesToFree({ capacityBytes: 1000, availableBytes: 0 }, DEFAULT_GC_POLICY), 200);
});

const cases: Array<{ name: string; images: ImageRecord[]; amount: number; remove: string[]; enough: boolean }> = [
  { name: "nothing to free", images: [image("a")], amount: 0, remove: [], enough: true },
  {
    name: "least recently used first, stops when enough",
    images: [image("new", { lastUsed: 50 * MIN }), image("old", { lastUsed: 10 * MIN }), image("mid", { lastUsed: 30 * MIN })],
    amount: 150,
    remove: ["old", "mid"],
    enough: true,
  },
  {
    name: "never in use, pinned or too young",
    images: [image("used", { inUse: true }), image("pin", { pinned: true }), image("young", { firstDetected: now - MIN }), image("ok")],
    amount: 400,
    remove: ["ok"],
    enough: false,
  },
  {
    // The one place pinned images are kept (runtime-pinned and NATSLET_PINNED_IMAGES alike).
    name: "a pinned image stays even when it is the least recently used",
    images: [image("pin", { pinned: true, lastUsed: 1 * MIN }), image("newer", { lastUsed: 50 * MIN })],
    amount: 100,
    remove: ["newer"],
    enough: true,
  },
  {
    name: "exactly the minimum age is old enough",
    images: [image("edge", { firstDetected: now - 2 * MIN })],
    amount: 1,
    remove: ["edge"],
    enough: true,
  },
  {
    name: "ties broken by first detection",
    images: [image("b", { firstDetected: 2 * MIN }), image("a", { firstDetected: 1 * MIN })],
    amount: 100,
    remove: ["a"],
    enough: true,
  },
];
for (const c of cases) {
  test(`gc plan: ${c.name}`, () => {
    const plan = planGc(c.images, c.amount, now, DEFAULT_GC_POLICY);
    assert.deepEqual(plan.remove.map((i) => i.id), c.remove);
    assert.equal(plan.enough, c.enough);
  });
}

test("detection keeps first-seen times, refreshes in-use images and forgets removed ones", () => {
  const kept = { a: { firstDetected: 1, lastUsed: 5 }, gone: { firstDetected: 1, lastUsed: 1 } };
  const { records, images } = detectImages(
    kept,
    [{ id: "a", size: 1, pinned: false }, { id: "b", size: 2, pinned: false }, { id: "c", size: 3, pinned: true }],
    new Set(["b"]),
    10,
  );
  assert.deepEqual(records, { a: { firstDetected: 1, lastUsed: 5 }, b: { firstDetected: 10, lastUsed: 10 }, c: { firstDetected: 10, lastUsed: 10 } });
  assert.deepEqual(images.map((i) => [i.id, i.inUse, i.pinned]), [["a", false, false], ["b", true, false], ["c", false, true]]);
});

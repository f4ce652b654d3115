// Image GC against real parts: containerd whose root (content store + snapshots) is a small
// tmpfs, images pulled from a real registry, containers run through the runtime-adapter
// process. Thresholds are set per run so each run must free a known amount.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectBus, EventPublisher, RuntimeClient } from "@natslet/bus";
import { decode, eventMessageSchema, subjects, type EventMessage, type Pod } from "@natslet/contracts";
import { createLogger } from "@natslet/telemetry";
import {
  startAll, busyboxImage, makeTempDir, PAUSE_IMAGE, removeDir, startContainerd, startNatslet, startNats, startRegistry,
  type Containerd, type Natslet, type NatsServer, type Registry as OciRegistry,
} from "@natslet/testkit";
import { Registry } from "prom-client";
import { collectImages, type GcDeps } from "./gc.js";
import { usagePercent, type GcPolicy } from "./gc-plan.js";
import { openBuckets } from "./kv-state.js";
import { imageMetrics } from "./metrics.js";

const NODE = "gc-itest";
const MiB = 1024 * 1024;

let nats: NatsServer;
let containerd: Containerd;
let registry: OciRegistry;
let natslet: Natslet;
let dir: string;
let nc: NatsConnection;
let runtime: RuntimeClient;
let gcDeps: (policy: GcPolicy) => GcDeps;
const events: EventMessage[] = [];
const refs = { old: "", recent: "", inUse: "" };

before(async () => {
  [nats, containerd, registry] = await startAll([startNats(), startContainerd({ rootSizeBytes: 200 * MiB }), startRegistry()]);
  containerd.allowPlainHttpRegistry(registry.host);
  const busybox = await busyboxImage();
  for (const name of ["old", "recent", "inUse"] as const) {
    refs[name] = (await registry.push(busybox, `gc/${name.toLowerCase()}`, "1", { randomLayerBytes: 16 * MiB })).ref;
  }
  dir = makeTempDir("gc-itest");
  natslet = await startNatslet({ natsUrl: nats.url, kubeconfig: "/dev/null", criEndpoint: containerd.endpoint, nodeName: NODE, dir, services: ["runtime-adapter"] });
  nc = await connectBus({ servers: nats.url, name: "gc-itest" });
  nc.subscribe(subjects.events(NODE), {
    callback: (_e, msg) => {
      events.push(decode(eventMessageSchema, msg.data));
    },
  });
  runtime = new RuntimeClient(nc, NODE);
  const { gc } = await openBuckets(nc);
  const metrics = imageMetrics(new Registry());
  const log = createLogger({ service: "image-manager", node: NODE, level: process.env["LOG_LEVEL"] ?? "silent" });
  gcDeps = (policy) => ({
    node: NODE, owner: "gc-itest", runtime, kv: gc, events: new EventPublisher(nc, NODE), metrics, policy, lockMs: 60_000,
    pinnedImages: [PAUSE_IMAGE], clock: Date.now, log,
  });
});

after(async () => {
  await nc?.drain();
  await natslet?.stop();
  await containerd?.stop();
  await registry?.stop();
  await nats?.stop();
  if (dir) await removeDir(dir);
});

function podRunning(image: string): Pod {
  return {
    metadata: { uid: randomUUID(), name: "gc", namespace: "itest" },
    spec: { restartPolicy: "Never", containers: [{ name: "c", image, command: ["sleep", "600"] }] },
  };
}

async function run(pod: Pod): Promise<string> {
  const { sandboxId, ip } = await runtime.call("EnsureSandbox", { pod, attempt: 0 });
  await runtime.call("EnsureContainer", { pod, name: "c", attempt: 0, sandboxId, podIps: ip ? [ip] : [] });
  return sandboxId;
}

async function present(image: string): Promise<boolean> {
  return (await runtime.call("ImageStatus", { image })).image !== undefined;
}

const idle: GcPolicy = { highThresholdPercent: 100, lowThresholdPercent: 100, minAgeMs: 0 };

test("GC on a small image filesystem removes the least recently used unused image, never one in use", async (t) => {
  for (const ref of Object.values(refs)) await runtime.call("PullImage", { image: ref });
  // The imported busybox image would tie with "old" (both never used): out of the way.
  await runtime.call("RemoveImage", { image: containerd.busyboxImage });
  const oldId = (await runtime.call("ImageStatus", { image: refs.old })).image?.id;
  // First detection: every image is seen now and never used.
  assert.equal((await collectImages(gcDeps(idle))).result, "idle");
  await new Promise((r) => setTimeout(r, 20));
  // "recent" and "inUse" are used by containers at the next detection; then "recent"'s pod goes.
  const recentSandbox = await run(podRunning(refs.recent));
  await run(podRunning(refs.inUse));
  assert.equal((await collectImages(gcDeps(idle))).result, "idle");
  await runtime.call("StopSandbox", { sandboxId: recentSandbox });
  await runtime.call("RemoveSandbox", { sandboxId: recentSandbox });

  const fs = await runtime.call("ImageFsInfo", {});
  const percent = usagePercent(fs);
  const oldSize = (await runtime.call("ImageStatus", { image: refs.old })).image?.size ?? 0;
  t.diagnostic(`image fs: ${percent} % of ${fs.capacityBytes} bytes used; old image ${oldSize} bytes`);
  assert.ok(percent > 30 && oldSize > 16 * MiB, `the images must fill the tmpfs: ${percent} %`);
  // Ask for about half of one image: exactly the least recently used one must go.
  const low = percent - Math.max(1, Math.floor((oldSize * 50) / fs.capacityBytes));
  const first = await collectImages(gcDeps({ highThresholdPercent: percent, lowThresholdPercent: low, minAgeMs: 0 }));
  assert.equal(first.result, "freed");
  assert.deepEqual(first.removed, [oldId]);
  assert.equal(await present(refs.old), false, "the least recently used image is removed");
  assert.equal(await present(refs.recent), true);
  assert.equal(await present(refs.inUse), true);

  // Asking for everything: what is unused goes, the image in use and the sandbox image stay,
  // and the shortfall is a FreeDiskSpaceFailed Warning on the Node.
  const second = await collectImages(gcDeps({ highThresholdPercent: 0, lowThresholdPercent: 0, minAgeMs: 0 }));
  assert.equal(second.result, "insufficient");
  assert.equal(await present(refs.recent), false);
  assert.equal(await present(refs.inUse), true, "an image a container uses is never removed");
  assert.equal(await present(PAUSE_IMAGE), true, "the sandbox image is pinned");
  await new Promise((r) => setTimeout(r, 100));
  const warning = events.find((e) => e.reason === "FreeDiskSpaceFailed");
  assert.ok(warning && warning.involved.kind === "Node" && /^Failed to garbage collect required amount of images\./.test(warning.message));

  // A young image is never removed (minimum age).
  const third = await collectImages(gcDeps({ highThresholdPercent: 0, lowThresholdPercent: 0, minAgeMs: 3_600_000 }));
  assert.deepEqual(third.removed, []);
});

// Periodic image GC: one replica at a time (a KV lease), usage records kept in KV so restarts
// and other replicas keep first-seen and last-used times.
import type { KV } from "@nats-io/kv";
import type { ObservedNode, RuntimeImage } from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import type { ImageEvents } from "./events.js";
import { bytesToFree, detectImages, planGc, usagePercent, type GcPolicy, type UsageRecords } from "./gc-plan.js";
import { getJson, keys, putJson, tryLease } from "./kv-state.js";
import type { ImageMetrics } from "./metrics.js";
import type { PullRecordStore } from "./pull-records-store.js";
import { normalizedImage } from "./reference.js";
import type { Runtime } from "@natslet/bus";

export interface GcDeps {
  node: string;
  owner: string;
  runtime: Runtime;
  kv: KV;
  events: ImageEvents;
  metrics: ImageMetrics;
  policy: GcPolicy;
  /** The lock is held this long; longer than one run takes. */
  lockMs: number;
  pinnedImages: readonly string[];
  /** Pull records of images no longer present are pruned each run. */
  records?: PullRecordStore;
  clock: () => number;
  log: Logger;
}

export type GcResult = "skipped" | "idle" | "freed" | "insufficient" | "error";

/** One GC run (kubelet: realImageGCManager.GarbageCollect). */
export async function collectImages(deps: GcDeps): Promise<{ result: GcResult; removed: string[]; freedBytes: number }> {
  const none = { removed: [] as string[], freedBytes: 0 };
  try {
    if (!(await tryLease(deps.kv, keys.gcLock(deps.node), deps.owner, deps.lockMs, deps.clock()))) {
      deps.metrics.gcRuns.labels("skipped").inc();
      return { result: "skipped", ...none };
    }
    const fs = await deps.runtime.call("ImageFsInfo", {});
    const listedAt = deps.clock();
    const [{ images }, observed] = await Promise.all([deps.runtime.call("ListImages", {}), deps.runtime.call("ListPods", {})]);
    const now = deps.clock();
    const inUse = imagesInUse(images, observed);
    const kept = (await getJson<UsageRecords>(deps.kv, keys.gcRecords(deps.node)))?.value ?? {};
    // Pinned by the runtime or by settings: planGc keeps it (the one place pinning is checked).
    const present = images.map((i) => ({ id: i.id, size: i.size, pinned: i.pinned === true || isPinned(i, deps.pinnedImages) }));
    const detected = detectImages(kept, present, inUse, now);
    await putJson(deps.kv, keys.gcRecords(deps.node), detected.records);

    deps.metrics.imageFsUsage.set(usagePercent(fs));
    await pruneRecords(deps, new Set(images.map((i) => i.id)), listedAt);
    const amount = bytesToFree(fs, deps.policy);
    if (amount === 0) {
      deps.metrics.gcRuns.labels("idle").inc();
      return { result: "idle", ...none };
    }
    const plan = planGc(detected.images, amount, now, deps.policy);
    deps.log.info({ usagePercent: usagePercent(fs), bytesToFree: amount, candidates: plan.remove.length }, "image filesystem above the high threshold; collecting images");
    const removed: string[] = [];
    let freedBytes = 0;
    for (const image of plan.remove) {
      try {
        await deps.runtime.call("RemoveImage", { image: image.id });
        removed.push(image.id);
        freedBytes += image.size;
        deps.metrics.gcRemoved.inc();
        deps.metrics.gcFreedBytes.inc(image.size);
        deps.log.info({ image: image.id, size: image.size, lastUsed: new Date(image.lastUsed).toISOString() }, "removed unused image");
      } catch (err) {
        deps.log.warn({ err, image: image.id }, "image GC could not remove an image");
      }
    }
    if (freedBytes < amount) {
      // kubelet: the FreeDiskSpaceFailed Warning on the Node.
      deps.events.node(
        "Warning",
        "FreeDiskSpaceFailed",
        `Failed to garbage collect required amount of images. Attempted to free ${amount} bytes, but only found ${freedBytes} bytes eligible to free.`,
      );
      deps.metrics.gcRuns.labels("insufficient").inc();
      return { result: "insufficient", removed, freedBytes };
    }
    deps.metrics.gcRuns.labels("freed").inc();
    return { result: "freed", removed, freedBytes };
  } catch (err) {
    deps.log.warn({ err }, "image GC failed");
    deps.events.node("Warning", "ImageGCFailed", `Image garbage collection failed: ${err instanceof Error ? err.message : String(err)}`);
    deps.metrics.gcRuns.labels("error").inc();
    return { result: "error", ...none };
  }
}

/** Forgets who pulled images that are gone (kubelet: PruneUnknownRecords); best effort. */
async function pruneRecords(deps: GcDeps, present: ReadonlySet<string>, listedAt: number): Promise<void> {
  if (!deps.records) return;
  try {
    const pruned = await deps.records.prune(present, listedAt);
    if (pruned > 0) deps.log.info({ pruned }, "pruned pull records of removed images");
  } catch (err) {
    deps.log.warn({ err }, "could not prune pull records");
  }
}

/** Image IDs any container of the node uses (running or not: the kubelet counts every container). */
export function imagesInUse(images: readonly RuntimeImage[], observed: ObservedNode): Set<string> {
  const used = new Set<string>();
  const refs = new Set<string>();
  for (const pod of Object.values(observed.pods)) {
    for (const c of pod.containers) {
      if (c.imageRef !== "") refs.add(c.imageRef);
      if (c.image !== "") refs.add(safeNormalized(c.image));
    }
  }
  for (const image of images) {
    const names = [image.id, ...image.repoDigests, ...image.repoTags, ...image.repoTags.map(safeNormalized)];
    if (names.some((n) => refs.has(n))) used.add(image.id);
  }
  return used;
}

function isPinned(image: RuntimeImage, pinned: readonly string[]): boolean {
  if (pinned.length === 0) return false;
  const wanted = new Set(pinned.map(safeNormalized));
  return image.repoTags.some((t) => wanted.has(safeNormalized(t))) || pinned.includes(image.id);
}

function safeNormalized(image: string): string {
  try {
    return normalizedImage(image);
  } catch {
    return image;
  }
}

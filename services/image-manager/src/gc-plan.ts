// Image GC decisions (kubelet: images/image_gc_manager.go): above the high threshold of image
// filesystem usage, free down to the low threshold, least recently used images first; never
// an image in use, a pinned one, or one first seen less than the minimum age ago.

export interface GcPolicy {
  /** Start collecting at this usage, percent (kubelet imageGCHighThresholdPercent: 85). */
  highThresholdPercent: number;
  /** Free down to this usage, percent (imageGCLowThresholdPercent: 80). */
  lowThresholdPercent: number;
  /** Never remove an image detected less than this long ago (imageMinimumGCAge: 2 min). */
  minAgeMs: number;
}

export const DEFAULT_GC_POLICY: GcPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000 };

export interface ImageRecord {
  id: string;
  size: number;
  /** When natslet first saw the image (kubelet: firstDetected). */
  firstDetected: number;
  /** When a container last used it (or firstDetected when none has). */
  lastUsed: number;
  inUse: boolean;
  pinned: boolean;
}

export interface FsUsage {
  capacityBytes: number;
  availableBytes: number;
}

/** Usage in percent as the kubelet computes it: 100 - available * 100 / capacity (integer). */
export function usagePercent(fs: FsUsage): number {
  if (fs.capacityBytes <= 0) return 0;
  return 100 - Math.floor((fs.availableBytes * 100) / fs.capacityBytes);
}

/** Bytes to free to get below the low threshold; 0 when usage is under the high threshold. */
export function bytesToFree(fs: FsUsage, policy: GcPolicy): number {
  if (usagePercent(fs) < policy.highThresholdPercent) return 0;
  return Math.max(0, Math.ceil((fs.capacityBytes * (100 - policy.lowThresholdPercent)) / 100 - fs.availableBytes));
}

export interface GcPlan {
  /** Images to remove, in order. */
  remove: ImageRecord[];
  /** Their total size. */
  bytes: number;
  /** Whether removing them frees what was asked. */
  enough: boolean;
}

/** The images to remove to free `amount` bytes at `now`: LRU first, skipping what must stay. */
export function planGc(images: readonly ImageRecord[], amount: number, now: number, policy: GcPolicy): GcPlan {
  if (amount <= 0) return { remove: [], bytes: 0, enough: true };
  const candidates = images
    .filter((i) => !i.inUse && !i.pinned && now - i.firstDetected >= policy.minAgeMs)
    .sort((a, b) => a.lastUsed - b.lastUsed || a.firstDetected - b.firstDetected || (a.id < b.id ? -1 : 1));
  const remove: ImageRecord[] = [];
  let bytes = 0;
  for (const image of candidates) {
    if (bytes >= amount) break;
    remove.push(image);
    bytes += image.size;
  }
  return { remove, bytes, enough: bytes >= amount };
}

/** Usage records kept between runs, keyed by image ID. */
export type UsageRecords = Record<string, { firstDetected: number; lastUsed: number }>;

/**
 * Merges what the runtime shows now into the kept records (kubelet detectImages): new images
 * are detected now, images in use were used now, images gone are forgotten.
 */
export function detectImages(
  kept: UsageRecords,
  present: ReadonlyArray<{ id: string; size: number; pinned: boolean }>,
  inUse: ReadonlySet<string>,
  now: number,
): { records: UsageRecords; images: ImageRecord[] } {
  const records: UsageRecords = {};
  const images: ImageRecord[] = [];
  for (const image of present) {
    const before = kept[image.id];
    const used = inUse.has(image.id);
    const firstDetected = before?.firstDetected ?? now;
    const lastUsed = used ? now : (before?.lastUsed ?? firstDetected);
    records[image.id] = { firstDetected, lastUsed };
    images.push({ id: image.id, size: image.size, firstDetected, lastUsed, inUse: used, pinned: image.pinned });
  }
  return { records, images };
}

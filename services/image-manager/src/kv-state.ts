// The image-manager's shared state in NATS JetStream KV, so replicas agree: who pulls what
// (claims with a lease), pull back-off per pod and image, eager-pull results, GC records.
import type { NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { isKvConflict, isLiveEntry } from "@natslet/bus";
import { token } from "@natslet/contracts";
import { createHash } from "node:crypto";

/** Short-lived state (claims, back-off, eager results): entries expire an hour after their last write. */
export const PULLS_BUCKET = "natslet-image-pulls";
/** GC usage records and the GC lock: kept. */
export const GC_BUCKET = "natslet-image-gc";
/** Which credentials pulled which image (ensure secret pulled images): kept, never expire. */
export const CREDENTIALS_BUCKET = "natslet-image-credentials";

export async function openBuckets(nc: NatsConnection): Promise<{ pulls: KV; gc: KV; credentials: KV }> {
  const kvm = new Kvm(nc);
  const pulls = await kvm.create(PULLS_BUCKET, { history: 1, ttl: 3_600_000 });
  const gc = await kvm.create(GC_BUCKET, { history: 1 });
  const credentials = await kvm.create(CREDENTIALS_BUCKET, { history: 1 });
  return { pulls, gc, credentials };
}

/** A KV key token for any text (images, container names): a hash, since keys allow few characters. */
export function hashToken(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

export const keys = {
  pull: (node: string, image: string, authId: string) => `pull.${token(node, "node name")}.${hashToken(image, authId)}`,
  backoff: (node: string, podUid: string, image: string) => `backoff.${token(node, "node name")}.${token(podUid, "pod UID")}.${hashToken(image)}`,
  eager: (node: string, podUid: string, container: string, image: string) =>
    `eager.${token(node, "node name")}.${token(podUid, "pod UID")}.${hashToken(container, image)}`,
  gcLock: (node: string) => `lock.${token(node, "node name")}`,
  gcRecords: (node: string) => `records.${token(node, "node name")}`,
} as const;


export async function getJson<T>(kv: KV, key: string): Promise<{ value: T; revision: number } | undefined> {
  const entry = await kv.get(key);
  if (!isLiveEntry(entry)) return undefined;
  try {
    return { value: entry.json<T>(), revision: entry.revision };
  } catch {
    return undefined; // not ours or corrupt: treated as absent, the next write replaces it
  }
}

export async function putJson(kv: KV, key: string, value: unknown): Promise<number> {
  return kv.put(key, JSON.stringify(value));
}


/**
 * A lease held by writing `{owner, until}` under a key: taken when absent, expired, or ours.
 * Used for the GC lock (one replica collects at a time).
 */
export async function tryLease(kv: KV, key: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
  const value = JSON.stringify({ owner, until: now + ttlMs });
  const entry = await kv.get(key);
  try {
    if (!isLiveEntry(entry)) {
      await kv.create(key, value);
      return true;
    }
    const held = entry.json<{ owner?: string; until?: number }>();
    if (held.owner !== owner && (held.until ?? 0) > now) return false;
    await kv.update(key, value, entry.revision);
    return true;
  } catch (err) {
    if (isKvConflict(err)) return false;
    throw err;
  }
}

// Small JetStream KV helpers shared by the services that coordinate replicas through KV.
import type { KvEntry } from "@nats-io/kv";

/** kv.create / kv.update / a guarded delete refuse with this when someone else wrote first. */
export function isKvConflict(err: unknown): boolean {
  return err instanceof Error && /wrong last sequence|key exists/i.test(err.message);
}

/** An entry that holds a value (not absent, deleted or purged). */
export function isLiveEntry(entry: KvEntry | null): entry is KvEntry {
  return entry !== null && entry.operation === "PUT";
}

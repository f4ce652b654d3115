// Where a pod from the API server becomes a bus value: checked against the contract once,
// here. A pod that fails is reported with the reason and skipped — it never stops the watcher.
import { podSchema, schema, ValidationError, type Parser, type Pod } from "@natslet/contracts";
import type { RawObject } from "@natslet/kube";

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Who a pod is: all a tombstone needs. */
export interface PodIdentity {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
}

const identitySchema = schema.object({
  metadata: schema.object({ uid: schema.nonEmptyString, namespace: schema.nonEmptyString, name: schema.nonEmptyString }),
});

function decodeWith<T>(parse: Parser<T>, raw: unknown): Decoded<T> {
  try {
    return { ok: true, value: parse(raw, "pod") };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, reason: err.message };
    throw err;
  }
}

/** The pod as the contract describes it, for an upsert. */
export function decodePod(raw: RawObject): Decoded<Pod> {
  return decodeWith(podSchema, raw);
}

/**
 * Only the identity, for a tombstone: a deleted pod must be tombstoned even if a newer field
 * of its spec would fail the contract — the consumers need to let go of it all the same.
 */
export function decodeIdentity(raw: RawObject): Decoded<PodIdentity> {
  const decoded = decodeWith(identitySchema, raw);
  return decoded.ok ? { ok: true, value: decoded.value.metadata } : decoded;
}

export function identityOf(pod: Pod): PodIdentity {
  const { uid, namespace, name } = pod.metadata;
  return { uid, namespace, name };
}

/** For logs about a pod that failed validation: whatever identity it has. */
export function describeRaw(raw: RawObject): Record<string, unknown> {
  const metadata = raw["metadata"];
  if (typeof metadata !== "object" || metadata === null) return {};
  const { uid, namespace, name } = metadata as Record<string, unknown>;
  return { uid, namespace, name };
}

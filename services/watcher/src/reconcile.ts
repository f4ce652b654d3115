// What a LIST snapshot means for the pod stream: the pure part of a sync, table-tested.
// The stream is what every consumer believes; the snapshot is the truth. The plan closes the gap
// (kubelet: HandlePodCleanups — pods the node still knows but the API server no longer has).
import type { Pod, PodMessage } from "@natslet/contracts";
import { identityOf, type PodIdentity } from "./pod-edge.js";

/** What the stream holds for one pod subject. */
export interface StreamRecord extends PodIdentity {
  readonly kind: PodMessage["kind"];
  /** The resourceVersion of the pod an upsert carries. */
  readonly resourceVersion?: string;
}

/** One pod of the snapshot; `pod` is undefined when it failed validation (it exists all the same). */
export interface ListedPod {
  readonly uid: string;
  readonly pod?: Pod;
}

export interface SyncPlan {
  /** In the stream as live, gone from the API server: deleted while nobody watched. */
  readonly tombstones: readonly PodIdentity[];
  /** New, or changed since the stream's copy. */
  readonly upserts: readonly Pod[];
  /** Already in the stream at this very resourceVersion: republishing would only churn. */
  readonly unchanged: number;
}

export function recordOf(message: PodMessage): StreamRecord {
  if (message.kind === "deleted") {
    return { kind: "deleted", uid: message.uid, namespace: message.namespace, name: message.name };
  }
  const { resourceVersion } = message.pod.metadata;
  return { kind: "upsert", ...identityOf(message.pod), ...(resourceVersion === undefined ? {} : { resourceVersion }) };
}

export function planSync(stream: ReadonlyMap<string, StreamRecord>, listed: readonly ListedPod[]): SyncPlan {
  const listedUids = new Set(listed.map((p) => p.uid));
  const tombstones: PodIdentity[] = [];
  for (const [uid, record] of stream) {
    if (record.kind === "upsert" && !listedUids.has(uid)) {
      tombstones.push({ uid, namespace: record.namespace, name: record.name });
    }
  }
  const upserts: Pod[] = [];
  let unchanged = 0;
  for (const { uid, pod } of listed) {
    // An invalid pod keeps whatever the stream has: it exists, so it must not be tombstoned,
    // and there is nothing valid to replace the stream's copy with.
    if (pod === undefined) continue;
    const record = stream.get(uid);
    const rv = pod.metadata.resourceVersion;
    if (record?.kind === "upsert" && rv !== undefined && record.resourceVersion === rv) unchanged += 1;
    else upserts.push(pod);
  }
  return { tombstones, upserts, unchanged };
}

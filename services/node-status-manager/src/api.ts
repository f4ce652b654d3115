// The node-status-manager's edge to the API server: the Node, its status, and Leases.
// Leases are replaced with their resourceVersion, so two writers never both win.
import {
  ApiException, CoordinationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, V1MicroTime, type KubeConfig, type V1Lease, type V1Node,
} from "@kubernetes/client-node";
import type { NodeCondition } from "./conditions.js";
import type { Taint } from "./node-config.js";
import type { NodeStatus } from "./node-object.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";

export function isStatus(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

/** A Lease as natslet reads and writes it; times are RFC 3339 strings. */
export interface Lease {
  name: string;
  resourceVersion?: string;
  holderIdentity: string;
  leaseDurationSeconds: number;
  renewTime: string;
  acquireTime?: string;
  leaseTransitions: number;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
}

/** client-node hands times back as Date or string depending on the model; this evens it out. */
function timeText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === "string" ? value : "";
}

function fromV1(l: V1Lease, name: string): Lease {
  const s = l.spec ?? {};
  return {
    name,
    ...(l.metadata?.resourceVersion !== undefined ? { resourceVersion: l.metadata.resourceVersion } : {}),
    holderIdentity: s.holderIdentity ?? "",
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    renewTime: timeText(s.renewTime),
    ...(s.acquireTime !== undefined ? { acquireTime: timeText(s.acquireTime) } : {}),
    leaseTransitions: s.leaseTransitions ?? 0,
    ...(l.metadata?.ownerReferences !== undefined
      ? { ownerReferences: l.metadata.ownerReferences.map(({ apiVersion, kind, name: n, uid }) => ({ apiVersion, kind, name: n, uid })) }
      : {}),
  };
}

function toV1(l: Lease): V1Lease {
  const micro = (t: string) => new V1MicroTime(t);
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: l.name,
      namespace: NODE_LEASE_NAMESPACE,
      ...(l.resourceVersion !== undefined ? { resourceVersion: l.resourceVersion } : {}),
      ...(l.ownerReferences !== undefined ? { ownerReferences: l.ownerReferences } : {}),
    },
    spec: {
      holderIdentity: l.holderIdentity,
      leaseDurationSeconds: l.leaseDurationSeconds,
      renewTime: micro(l.renewTime),
      ...(l.acquireTime !== undefined ? { acquireTime: micro(l.acquireTime) } : {}),
      leaseTransitions: l.leaseTransitions,
    },
  };
}

export interface LeaseApi {
  get(name: string): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  /** Fails with 409 when the lease changed since `lease.resourceVersion`. */
  replace(lease: Lease): Promise<Lease>;
}

export function leaseApi(kc: KubeConfig): LeaseApi {
  const api = kc.makeApiClient(CoordinationV1Api);
  const namespace = NODE_LEASE_NAMESPACE;
  return {
    async get(name) {
      try {
        return fromV1(await api.readNamespacedLease({ name, namespace }), name);
      } catch (err) {
        if (isStatus(err, 404)) return undefined;
        throw err;
      }
    },
    async create(lease) {
      return fromV1(await api.createNamespacedLease({ namespace, body: toV1(lease) }), lease.name);
    },
    async replace(lease) {
      return fromV1(await api.replaceNamespacedLease({ name: lease.name, namespace, body: toV1(lease) }), lease.name);
    },
  };
}

/** What the status loop and registration read of an existing Node. */
export interface NodeView {
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  taints: Taint[];
  conditions: NodeCondition[];
}

function viewOf(n: V1Node): NodeView {
  return {
    uid: n.metadata?.uid ?? "",
    resourceVersion: n.metadata?.resourceVersion ?? "",
    labels: n.metadata?.labels ?? {},
    taints: (n.spec?.taints ?? []).map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect as Taint["effect"] })),
    conditions: (n.status?.conditions ?? []).map((c) => ({
      type: c.type as NodeCondition["type"],
      status: c.status as NodeCondition["status"],
      reason: c.reason ?? "",
      message: c.message ?? "",
      lastHeartbeatTime: timeText(c.lastHeartbeatTime),
      lastTransitionTime: timeText(c.lastTransitionTime),
    })),
  };
}

export interface NodeApi {
  get(name: string): Promise<NodeView | undefined>;
  create(node: { metadata: Record<string, unknown>; spec: Record<string, unknown> }): Promise<NodeView>;
  /** Merge patch of metadata and spec; resourceVersion makes it conditional. */
  patch(name: string, patch: Record<string, unknown>): Promise<NodeView>;
  patchStatus(name: string, status: NodeStatus): Promise<void>;
}

export function nodeApi(kc: KubeConfig): NodeApi {
  const api = kc.makeApiClient(CoreV1Api);
  const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  return {
    async get(name) {
      try {
        return viewOf(await api.readNode({ name }));
      } catch (err) {
        if (isStatus(err, 404)) return undefined;
        throw err;
      }
    },
    async create(node) {
      return viewOf(await api.createNode({ body: { apiVersion: "v1", kind: "Node", ...node } }));
    },
    async patch(name, patch) {
      return viewOf(await api.patchNode({ name, body: patch }, merge));
    },
    async patchStatus(name, status) {
      // A merge patch replaces lists whole: conditions and addresses are all ours to write.
      await api.patchNodeStatus({ name, body: { status } }, merge);
    },
  };
}

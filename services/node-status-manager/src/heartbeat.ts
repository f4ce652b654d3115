// The node's heartbeat (kubelet: nodelease controller): the Lease <node> in kube-node-lease,
// renewed every 10 s. The node lifecycle controller reads its renewTime; the status itself is
// posted only when it changes, so this is what keeps a healthy node Ready.
import { Backoff, type BackoffPolicy, type Clock } from "@natslet/kube";
import type { Logger } from "@natslet/telemetry";
import { isStatus, type Lease, type LeaseApi } from "./api.js";
import { pause } from "./loop.js";

export const NODE_LEASE_DURATION_SECONDS = 40;
/** A quarter of the duration, as the kubelet renews. */
export const NODE_LEASE_RENEW_MS = 10_000;
/** The kubelet's lease retry: 200 ms doubling, capped at 7 s. */
export const NODE_LEASE_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 7_000, factor: 2 };

export interface HeartbeatDeps {
  leases: LeaseApi;
  node: { name: string; uid: string };
  clock: Clock;
  wallNow: () => Date;
  log: Logger;
  renewMs?: number;
  onRenew?: (ok: boolean) => void;
}

/** The lease as it should be after a renewal now; keeps what others may have set. */
export function renewedNodeLease(current: Lease | undefined, node: { name: string; uid: string }, now: Date): Lease {
  const renewTime = now.toISOString();
  return {
    ...(current ?? { leaseTransitions: 0 }),
    name: node.name,
    holderIdentity: node.name,
    leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS,
    renewTime,
    // The Lease goes away with the Node (garbage collector), as the kubelet sets it.
    ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node.name, uid: node.uid }],
    ...(current?.resourceVersion !== undefined ? { resourceVersion: current.resourceVersion } : {}),
  };
}

/** Renews until `signal` aborts; one owner of its retries. */
export async function runHeartbeat(deps: HeartbeatDeps, signal: AbortSignal): Promise<void> {
  const backoff = new Backoff(NODE_LEASE_BACKOFF);
  let cached: Lease | undefined;
  const renewMs = deps.renewMs ?? NODE_LEASE_RENEW_MS;
  while (!signal.aborted) {
    let waitMs: number;
    try {
      // Optimistic: renew the copy from the last success without a GET; a conflict refetches.
      cached ??= await deps.leases.get(deps.node.name);
      const next = renewedNodeLease(cached, deps.node, deps.wallNow());
      cached = cached === undefined ? await deps.leases.create(next) : await deps.leases.replace(next);
      backoff.reset();
      deps.onRenew?.(true);
      waitMs = renewMs;
    } catch (err) {
      cached = undefined;
      deps.onRenew?.(false);
      waitMs = backoff.next();
      const level = isStatus(err, 409) ? "debug" : "warn";
      deps.log[level]({ err, retryMs: waitMs }, "node lease not renewed; retrying");
    }
    if (!(await pause(deps.clock, waitMs, signal))) return;
  }
}

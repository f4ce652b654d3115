// Registration (kubelet: registerWithAPIServer): create the Node, or adopt the one that exists
// by giving it our labels and configured taints. Retries until it succeeds or shutdown.
import { Backoff, RETRY_BACKOFF, type Clock } from "@natslet/kube";
import type { Logger } from "@natslet/telemetry";
import { isStatus, type NodeApi, type NodeView } from "./api.js";
import { pause } from "./loop.js";
import { initialNode, labelPatch, mergeTaints, type NodeIdentity } from "./node-object.js";

async function registerOnce(nodes: NodeApi, id: NodeIdentity, log: Logger): Promise<NodeView> {
  try {
    const created = await nodes.create(initialNode(id));
    log.info({ uid: created.uid }, "node registered");
    return created;
  } catch (err) {
    if (!isStatus(err, 409)) throw err;
  }
  const existing = await nodes.get(id.name);
  if (existing === undefined) throw new Error(`node ${id.name} exists and is gone again; retrying`);
  const labels = labelPatch(existing.labels, id.labels);
  const taints = mergeTaints(existing.taints, id.taints);
  if (labels === undefined && taints === undefined) {
    log.info({ uid: existing.uid }, "node exists; adopted");
    return existing;
  }
  // resourceVersion: a taint the node lifecycle controller adds meanwhile is not overwritten.
  const patched = await nodes.patch(id.name, {
    metadata: { resourceVersion: existing.resourceVersion, ...(labels ? { labels } : {}) },
    ...(taints ? { spec: { taints } } : {}),
  });
  log.info({ uid: patched.uid, labels: labels ?? {}, taints: taints ?? [] }, "node exists; adopted and updated");
  return patched;
}

export async function registerNode(nodes: NodeApi, id: NodeIdentity, clock: Clock, log: Logger, signal: AbortSignal): Promise<NodeView | undefined> {
  const backoff = new Backoff(RETRY_BACKOFF);
  while (!signal.aborted) {
    try {
      return await registerOnce(nodes, id, log);
    } catch (err) {
      const retryMs = backoff.next();
      log.warn({ err, retryMs }, "node registration failed; retrying");
      if (!(await pause(clock, retryMs, signal))) return undefined;
    }
  }
  return undefined;
}

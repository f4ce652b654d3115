import type { JetStreamClient } from "@nats-io/jetstream";
import { publishLatest } from "@natslet/bus";
import { subjects, type Pod, type PodStatusMessage } from "@natslet/contracts";
import type { PodStatus } from "@natslet/core";

/**
 * Publishes pod statuses for the status-manager. A status equal to the last one published is
 * not sent again; versions grow across restarts (they start from the wall clock), so the
 * status-manager can tell a stale status from a newer one (kubelet: versionedPodStatus).
 */
export class StatusPublisher {
  readonly #last = new Map<string, { version: number; json: string; status: PodStatus }>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly node: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async publish(pod: Pod, status: PodStatus, deletePod: boolean): Promise<boolean> {
    const uid = pod.metadata.uid;
    const json = JSON.stringify(status) + (deletePod ? "+delete" : "");
    const last = this.#last.get(uid);
    if (last?.json === json) return false;
    const version = Math.max((last?.version ?? 0) + 1, this.clock());
    const message: PodStatusMessage = {
      uid,
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      version,
      status: status as unknown as Record<string, unknown>,
      ...(deletePod ? { deletePod: true } : {}),
    };
    await publishLatest(this.js, subjects.podStatus(this.node, uid), message);
    this.#last.set(uid, { version, json, status });
    return true;
  }

  /** The status last published for the pod: what the next status is computed against. */
  lastStatus(uid: string): PodStatus | undefined {
    return this.#last.get(uid)?.status;
  }

  forget(uid: string): void {
    this.#last.delete(uid);
  }
}

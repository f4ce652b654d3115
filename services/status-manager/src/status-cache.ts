import type { PodStatusMessage } from "@natslet/contracts";

/**
 * What was last written per pod, so a status is written once (coalescing) and a stale one
 * (lower version than written) never overwrites a newer one — kubelet status_manager's
 * needsUpdate / versionedPodStatus rules.
 */
export class StatusCache {
  readonly #written = new Map<string, { version: number; json: string; deleted: boolean }>();

  /** Whether `msg` must be written: newer than what was written, and different. */
  needsWrite(msg: PodStatusMessage): boolean {
    const last = this.#written.get(msg.uid);
    if (!last) return true;
    if (msg.version < last.version) return false;
    if (msg.deletePod && !last.deleted) return true;
    return JSON.stringify(msg.status) !== last.json;
  }

  isStale(msg: PodStatusMessage): boolean {
    const last = this.#written.get(msg.uid);
    return last !== undefined && msg.version < last.version;
  }

  recordWritten(msg: PodStatusMessage, deleted: boolean): void {
    this.#written.set(msg.uid, { version: msg.version, json: JSON.stringify(msg.status), deleted });
  }

  forget(uid: string): void {
    this.#written.delete(uid);
  }

  /** Forgets every pod `keep` says no to. */
  retain(keep: (uid: string) => boolean): void {
    for (const uid of [...this.#written.keys()]) if (!keep(uid)) this.#written.delete(uid);
  }
}

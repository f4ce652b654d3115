import type { Pod } from "@natslet/contracts";

/** What the sync-loop knows of one pod: the desired state, or that the API server dropped it. */
export type DesiredPod = { kind: "present"; pod: Pod } | { kind: "gone" };

/**
 * Desired pods by UID, as read from the pod stream, and the resync timer of each. The table is
 * rebuilt completely from the stream after a restart (the stream keeps the latest per pod).
 */
export class PodTable {
  readonly #pods = new Map<string, DesiredPod>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  set(uid: string, desired: DesiredPod): void {
    this.#pods.set(uid, desired);
  }

  get(uid: string): DesiredPod | undefined {
    return this.#pods.get(uid);
  }

  has(uid: string): boolean {
    return this.#pods.has(uid);
  }

  uids(): string[] {
    return [...this.#pods.keys()];
  }

  get size(): number {
    return this.#pods.size;
  }

  forget(uid: string): void {
    this.#pods.delete(uid);
    this.cancelResync(uid);
  }

  /** Calls `fire` after `ms`, replacing an earlier timer of the pod. */
  scheduleResync(uid: string, ms: number, fire: () => void): void {
    this.cancelResync(uid);
    const timer = setTimeout(() => {
      this.#timers.delete(uid);
      fire();
    }, ms);
    timer.unref();
    this.#timers.set(uid, timer);
  }

  cancelResync(uid: string): void {
    clearTimeout(this.#timers.get(uid));
    this.#timers.delete(uid);
  }

  clear(): void {
    for (const uid of [...this.#timers.keys()]) this.cancelResync(uid);
    this.#pods.clear();
  }
}

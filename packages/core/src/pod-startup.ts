// The pod start SLI (kubelet: pod_startup_latency_tracker.go, metric
// kubelet_pod_start_sli_duration_seconds): from the pod's creation to the first time all its
// containers run, minus the time spent pulling images — a slow registry is not the node's
// latency. Only pods this node starts from scratch count: a pod that already had a startTime
// when first seen (a restarted sync-loop, a pod some other agent started) would report its age.

export interface PodStartDurations {
  /** Creation → all containers running, minus image pulling (seconds). */
  sliSeconds: number;
  /** Creation → all containers running (seconds). */
  totalSeconds: number;
}

interface Tracked {
  createdMs: number;
  firstPullStartMs?: number;
  lastPullEndMs?: number;
}

export class PodStartupTracker {
  readonly #pods = new Map<string, Tracked>();
  /** Pods already reported or never tracked: never reported (again). */
  readonly #done = new Set<string>();

  /**
   * Called on every sync of a pod. `creationTimestamp` and `startTime` are the API server's;
   * a pod is tracked from its first sync if it has not started anywhere yet.
   */
  seen(uid: string, creationTimestamp: string | undefined, startTime: string | undefined): void {
    if (this.#pods.has(uid) || this.#done.has(uid)) return;
    const created = creationTimestamp === undefined ? NaN : Date.parse(creationTimestamp);
    if (startTime !== undefined || Number.isNaN(created)) {
      this.#done.add(uid);
      return;
    }
    this.#pods.set(uid, { createdMs: created });
  }

  /** An image pull for the pod ran from `startMs` to `endMs` (only pulls that fetched something). */
  pulled(uid: string, startMs: number, endMs: number): void {
    const t = this.#pods.get(uid);
    if (!t) return;
    t.firstPullStartMs = Math.min(t.firstPullStartMs ?? startMs, startMs);
    t.lastPullEndMs = Math.max(t.lastPullEndMs ?? endMs, endMs);
  }

  /** All containers of the pod were seen running at `nowMs`: the durations, once per pod. */
  running(uid: string, nowMs: number): PodStartDurations | undefined {
    const t = this.#pods.get(uid);
    if (!t) return undefined;
    this.#pods.delete(uid);
    this.#done.add(uid);
    const total = Math.max(0, nowMs - t.createdMs);
    const pulling = t.firstPullStartMs !== undefined && t.lastPullEndMs !== undefined ? t.lastPullEndMs - t.firstPullStartMs : 0;
    return { sliSeconds: Math.max(0, total - pulling) / 1000, totalSeconds: total / 1000 };
  }

  forget(uid: string): void {
    this.#pods.delete(uid);
    this.#done.delete(uid);
  }
}

// The pod start SLI, fed by the pod worker: first sync, image pulls, first time all containers
// run. The arithmetic is core's PodStartupTracker; this records it in the service's histograms.
import type { Pod } from "@natslet/contracts";
import { PodStartupTracker, type PodStatus } from "@natslet/core";
import type { SyncLoopMetrics } from "./metrics.js";

export class StartupSli {
  readonly #tracker = new PodStartupTracker();

  constructor(private readonly metrics: Pick<SyncLoopMetrics, "podStartSli" | "podStartTotal">) {}

  seen(pod: Pod): void {
    const startTime = pod.status?.["startTime"];
    this.#tracker.seen(pod.metadata.uid, pod.metadata.creationTimestamp, typeof startTime === "string" ? startTime : undefined);
  }

  pulled(uid: string, startMs: number, endMs: number): void {
    this.#tracker.pulled(uid, startMs, endMs);
  }

  /** Records the durations the first time every container of the pod runs. */
  status(uid: string, status: PodStatus, nowMs: number): void {
    const containers = status.containerStatuses ?? [];
    if (containers.length === 0 || !containers.every((c) => c.state.running !== undefined)) return;
    const durations = this.#tracker.running(uid, nowMs);
    if (!durations) return;
    this.metrics.podStartSli.observe(durations.sliSeconds);
    this.metrics.podStartTotal.observe(durations.totalSeconds);
  }

  forget(uid: string): void {
    this.#tracker.forget(uid);
  }
}

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface SyncLoopMetrics {
  syncDuration: Histogram<"result">;
  housekeepingRemoved: Counter;
  podStartSli: Histogram;
  podStartTotal: Histogram;
  replicas: Gauge;
  ownedPods: Gauge;
}

/** The kubelet's buckets for pod start durations (seconds). */
const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

/** `countOwnedPods` is asked at every scrape: ownership changes with every pod and member list. */
export function syncLoopMetrics(registry: Registry, countOwnedPods: () => number = () => 0): SyncLoopMetrics {
  return {
    syncDuration: new Histogram({
      name: "natslet_pod_worker_duration_seconds",
      help: "Duration of one pod sync (observe, act, report), by result.",
      labelNames: ["result"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    housekeepingRemoved: new Counter({
      name: "natslet_housekeeping_orphans_removed_total",
      help: "Orphaned pods (in the runtime, not desired) removed by housekeeping.",
      registers: [registry],
    }),
    podStartSli: new Histogram({
      name: "natslet_pod_start_sli_duration_seconds",
      help: "Pod creation to all containers running, excluding image pulls (kubelet_pod_start_sli_duration_seconds).",
      buckets: POD_START_BUCKETS,
      registers: [registry],
    }),
    podStartTotal: new Histogram({
      name: "natslet_pod_start_total_duration_seconds",
      help: "Pod creation to all containers running, image pulls included (kubelet_pod_start_total_duration_seconds).",
      buckets: POD_START_BUCKETS,
      registers: [registry],
    }),
    replicas: new Gauge({
      name: "natslet_sync_loop_replicas",
      help: "Sync-loop replicas of this node, as this replica last saw them.",
      registers: [registry],
    }),
    ownedPods: new Gauge({
      name: "natslet_sync_loop_owned_pods",
      help: "Pods this replica syncs (the others belong to other replicas).",
      registers: [registry],
      collect() {
        this.set(countOwnedPods());
      },
    }),
  };
}

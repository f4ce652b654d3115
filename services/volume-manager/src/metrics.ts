import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export function volumeMetrics(registry: Registry) {
  return {
    setups: new Counter({
      name: "natslet_volume_setups_total",
      help: "Volumes set up or re-checked, by volume type and result (ok, error).",
      labelNames: ["type", "result"],
      registers: [registry],
    }),
    setupDuration: new Histogram({
      name: "natslet_volume_pod_setup_duration_seconds",
      help: "Time to set up (or re-check) all volumes of a pod, by outcome (ready, failed, error).",
      labelNames: ["outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    teardowns: new Counter({
      name: "natslet_volume_teardowns_total",
      help: "Pods whose volumes were torn down, by cause (deleted, terminal, orphan, request) and result.",
      labelNames: ["cause", "result"],
      registers: [registry],
    }),
    liveUpdates: new Counter({
      name: "natslet_volume_live_updates_total",
      help: "ConfigMap/Secret/downwardAPI/token payloads rewritten atomically in a running pod.",
      registers: [registry],
    }),
    sourceReads: new Counter({
      name: "natslet_volume_source_reads_total",
      help: "ConfigMap/Secret reads for volumes, by kind (configmap, secret) and where they were answered: cache (the object's watch) or api (a GET).",
      labelNames: ["kind", "source"],
      registers: [registry],
    }),
    sourceWatches: new Gauge({
      name: "natslet_volume_source_watches",
      help: "ConfigMaps/Secrets watched now (one watch per object referenced by a set-up pod).",
      registers: [registry],
    }),
    sourceChangeResyncs: new Counter({
      name: "natslet_volume_source_change_resyncs_total",
      help: "Pod resyncs started by a change a ConfigMap/Secret watch saw (beside the periodic resync).",
      registers: [registry],
    }),
    emptyDirOverLimit: new Counter({
      name: "natslet_volume_emptydir_over_limit_total",
      help: "Times a disk-backed emptyDir was found above its sizeLimit.",
      registers: [registry],
    }),
  };
}
export type VolumeMetrics = ReturnType<typeof volumeMetrics>;

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface ImageMetrics {
  pulls: Counter<"result">;
  pullDuration: Histogram<"result">;
  joinedPulls: Counter<"where">;
  ensures: Counter<"result">;
  credentialChecks: Counter<"result">;
  gcRuns: Counter<"result">;
  gcRemoved: Counter;
  gcFreedBytes: Counter;
  imageFsUsage: Gauge;
}

export function imageMetrics(registry: Registry): ImageMetrics {
  return {
    pulls: new Counter({
      name: "natslet_image_pulls_total",
      help: "CRI image pulls this replica made, by result (success, failure).",
      labelNames: ["result"],
      registers: [registry],
    }),
    pullDuration: new Histogram({
      name: "natslet_image_pull_duration_seconds",
      help: "Duration of CRI image pulls this replica made, by result.",
      labelNames: ["result"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    joinedPulls: new Counter({
      name: "natslet_image_pulls_joined_total",
      help: "Requests that waited for a pull already running instead of pulling again: in this replica (local) or in another (remote).",
      labelNames: ["where"],
      registers: [registry],
    }),
    ensures: new Counter({
      name: "natslet_image_ensure_total",
      help: "Ensure requests by outcome (present, pulled, ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName).",
      labelNames: ["result"],
      registers: [registry],
    }),
    credentialChecks: new Counter({
      name: "natslet_image_credential_checks_total",
      help:
        "Checks whether a pod may use a present image without a pull (kubelet: kubelet_imagemanager_image_mustpull_checks_total): " +
        "credentialPolicyAllowed, credentialRecordFound, mustAuthenticate, error.",
      labelNames: ["result"],
      registers: [registry],
    }),
    gcRuns: new Counter({
      name: "natslet_image_gc_runs_total",
      help: "Image GC runs by result (idle: under the threshold, freed, insufficient, error, skipped: another replica holds the GC lock).",
      labelNames: ["result"],
      registers: [registry],
    }),
    gcRemoved: new Counter({ name: "natslet_image_gc_removed_total", help: "Images removed by image GC.", registers: [registry] }),
    gcFreedBytes: new Counter({ name: "natslet_image_gc_freed_bytes_total", help: "Bytes freed by image GC (image sizes).", registers: [registry] }),
    imageFsUsage: new Gauge({ name: "natslet_image_fs_usage_percent", help: "Image filesystem usage seen by the last GC run.", registers: [registry] }),
  };
}

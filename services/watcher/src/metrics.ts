// The watcher's Prometheus metrics. Names carry the natslet_watcher_ prefix; the registry adds
// the service and node labels.
import { Counter, Histogram, type Registry } from "prom-client";

export interface WatcherMetrics {
  /** Reflector events handled, by type (sync, added, modified, deleted). */
  readonly events: Counter<"type">;
  /** Time from publish to the stream's ack, by message kind (upsert, deleted). */
  readonly publishSeconds: Histogram<"kind">;
  /** LISTs made, by reason (start, expired, error). */
  readonly relists: Counter<"reason">;
  /** Watches ended, by how (closed: the server's timeout; expired: 410; failed). */
  readonly watchRestarts: Counter<"end">;
  /** Pods skipped because they failed the contract. */
  readonly invalidPods: Counter;
  /** Sync upserts skipped: the stream already had that resourceVersion. */
  readonly unchanged: Counter;
}

export function createWatcherMetrics(registry: Registry): WatcherMetrics {
  const registers = [registry];
  return {
    events: new Counter({ name: "natslet_watcher_events_total", help: "Reflector events handled", labelNames: ["type"], registers }),
    publishSeconds: new Histogram({
      name: "natslet_watcher_publish_seconds",
      help: "Publish to the pod stream until its ack",
      labelNames: ["kind"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    relists: new Counter({ name: "natslet_watcher_relists_total", help: "Pod LISTs", labelNames: ["reason"], registers }),
    watchRestarts: new Counter({
      name: "natslet_watcher_watch_restarts_total",
      help: "Pod watches ended, by how they ended",
      labelNames: ["end"],
      registers,
    }),
    invalidPods: new Counter({ name: "natslet_watcher_invalid_pods_total", help: "Pods that failed validation", registers }),
    unchanged: new Counter({
      name: "natslet_watcher_sync_unchanged_total",
      help: "Sync upserts skipped because the stream held the same resourceVersion",
      registers,
    }),
  };
}

import { Counter, Histogram, type Registry } from "prom-client";

export interface SyncLoopMetrics {
  syncDuration: Histogram<"result">;
  invalidMessages: Counter<"subject">;
  housekeepingRemoved: Counter;
}

export function syncLoopMetrics(registry: Registry): SyncLoopMetrics {
  return {
    syncDuration: new Histogram({
      name: "natslet_pod_worker_duration_seconds",
      help: "Duration of one pod sync (observe, act, report), by result.",
      labelNames: ["result"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    invalidMessages: new Counter({
      name: "natslet_invalid_messages_total",
      help: "Bus messages rejected by validation, by subject.",
      labelNames: ["subject"],
      registers: [registry],
    }),
    housekeepingRemoved: new Counter({
      name: "natslet_housekeeping_orphans_removed_total",
      help: "Orphaned pods (in the runtime, not desired) removed by housekeeping.",
      registers: [registry],
    }),
  };
}

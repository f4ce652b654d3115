// The service's Prometheus metrics, registered on the registry main.ts (or a test) hands in.
import { Counter, Histogram, type Registry } from "prom-client";

export interface Metrics {
  criCallDuration: Histogram<"method">;
  criCallErrors: Counter<"method" | "code">;
  relistDuration: Histogram;
  relistErrors: Counter;
  runtimeEvents: Counter<"type">;
}

// CRI calls range from ~1 ms (status) to seconds (RunPodSandbox with CNI, pulls, graceful stops).
const CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetrics(registry: Registry): Metrics {
  const registers = [registry];
  return {
    criCallDuration: new Histogram({
      name: "natslet_cri_call_duration_seconds",
      help: "Duration of CRI calls by method, failed ones included.",
      labelNames: ["method"],
      buckets: CALL_BUCKETS,
      registers,
    }),
    criCallErrors: new Counter({
      name: "natslet_cri_call_errors_total",
      help: "Failed CRI calls by method and gRPC status code.",
      labelNames: ["method", "code"],
      registers,
    }),
    relistDuration: new Histogram({
      name: "natslet_pleg_relist_duration_seconds",
      help: "Duration of one PLEG relist: list sandboxes and containers, read the statuses that changed, diff.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    relistErrors: new Counter({
      name: "natslet_pleg_relist_errors_total",
      help: "PLEG relists that failed (the runtime did not answer); the next period tries again.",
      registers,
    }),
    runtimeEvents: new Counter({
      name: "natslet_pleg_events_total",
      help: "Runtime events published by the PLEG, by type.",
      labelNames: ["type"],
      registers,
    }),
  };
}

// The bus's own metrics, the same names in every service: request latency by command, and
// messages dropped at the edge (natslet's dead letters: a message that fails validation is
// logged, counted and terminated — never redelivered forever). Registered once per process by
// connectBus({ registry }). There is no redelivery counter: natslet reads its streams with
// ordered consumers (no acks, so nothing is ever redelivered; a gap makes the consumer start
// over from the last message per subject) and a lost core-NATS message is covered by the resync.
import { Counter, Histogram, type Registry } from "prom-client";

interface BusMetrics {
  requestSeconds: Histogram<"command" | "result">;
  deadLetters: Counter<"kind" | "reason">;
}

let metrics: BusMetrics | undefined;

export function registerBusMetrics(registry: Registry): void {
  metrics = {
    requestSeconds: new Histogram({
      name: "natslet_nats_request_duration_seconds",
      help: "NATS request/reply latency as the caller sees it, by command (e.g. runtime.GetPod) and result (ok or an error code).",
      labelNames: ["command", "result"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: "natslet_nats_dead_letters_total",
      help: "Messages dropped at the edge and not redelivered, by subject kind and reason (invalid: failed validation).",
      labelNames: ["kind", "reason"],
      registers: [registry],
    }),
  };
}

/**
 * A low-cardinality name for a subject: its kind, plus the command for request/reply subjects
 * (natslet.runtime.<node>.rpc.GetPod → runtime.GetPod; natslet.pod.<node>.<uid> → pod).
 */
export function subjectKind(subject: string): string {
  const tokens = subject.split(".");
  const kind = tokens[1] ?? subject;
  const rpc = tokens.indexOf("rpc");
  return rpc >= 0 && tokens[rpc + 1] !== undefined ? `${kind}.${tokens[rpc + 1]}` : kind;
}

export function observeRequest(subject: string, result: string, seconds: number): void {
  metrics?.requestSeconds.labels(subjectKind(subject), result).observe(seconds);
}

export function countDeadLetter(subject: string, reason: "invalid"): void {
  metrics?.deadLetters.labels(subjectKind(subject), reason).inc();
}


// Publishing to the pod stream. Each publish starts a new trace: the sync of a pod across
// natslet begins with the change the watcher saw, and every service continues it from the
// message's traceparent header.
import type { JetStreamClient } from "@nats-io/jetstream";
import { publishLatest } from "@natslet/bus";
import { subjects, type Pod, type PodMessage } from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import { SpanKind, SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import type { WatcherMetrics } from "./metrics.js";
import type { Publisher } from "./handler.js";
import { identityOf, type PodIdentity } from "./pod-edge.js";

const tracer = trace.getTracer("natslet-watcher");

/** Why a message is published: a watch event, or the reconciliation after a LIST. */
export type PublishCause = "added" | "modified" | "deleted" | "sync";

export class PodPublisher implements Publisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly node: string,
    private readonly tombstoneTtl: string,
    private readonly metrics: WatcherMetrics,
    private readonly log: Logger,
  ) {}

  upsert(pod: Pod, cause: PublishCause): Promise<void> {
    return this.#publish(identityOf(pod), { kind: "upsert", pod }, cause, pod.metadata.resourceVersion);
  }

  tombstone(id: PodIdentity, cause: PublishCause): Promise<void> {
    return this.#publish(id, { kind: "deleted", ...id }, cause, undefined);
  }

  async #publish(id: PodIdentity, message: PodMessage, cause: PublishCause, resourceVersion: string | undefined): Promise<void> {
    const subject = subjects.pod(this.node, id.uid);
    const attributes: Attributes = {
      "k8s.pod.uid": id.uid,
      "k8s.pod.name": id.name,
      "k8s.namespace.name": id.namespace,
      "k8s.node.name": this.node,
      "messaging.system": "nats",
      "messaging.destination.name": subject,
      "natslet.pod.message": message.kind,
      "natslet.pod.cause": cause,
      ...(resourceVersion === undefined ? {} : { "k8s.pod.resource_version": resourceVersion }),
    };
    // root: a new trace per pod change, whatever context the caller happens to be in.
    await tracer.startActiveSpan(`pod ${message.kind}`, { kind: SpanKind.PRODUCER, root: true, attributes }, async (span) => {
      const stopTimer = this.metrics.publishSeconds.startTimer({ kind: message.kind });
      try {
        const ttl = message.kind === "deleted" ? { ttl: this.tombstoneTtl } : {};
        const seq = await publishLatest(this.js, subject, message, ttl);
        span.setAttribute("messaging.nats.stream_sequence", seq);
        this.log.info({ pod: id, kind: message.kind, cause, resourceVersion, seq }, "published pod");
      } catch (err) {
        span.recordException(err instanceof Error ? err : String(err));
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        stopTimer();
        span.end();
      }
    });
  }
}

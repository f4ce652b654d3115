// From reflector events to pod-stream messages: decode at the edge, then publish.
// A failed publish is thrown to the caller, which owns the retry (service.ts).
import type { Pod } from "@natslet/contracts";
import type { RawObject, ReflectorEvent } from "@natslet/kube";
import type { Logger } from "@natslet/telemetry";
import type { WatcherMetrics } from "./metrics.js";
import { decodeIdentity, decodePod, describeRaw, type PodIdentity } from "./pod-edge.js";
import type { PublishCause } from "./publisher.js";
import { planSync, type ListedPod, type StreamRecord } from "./reconcile.js";

/** What the handler needs of PodPublisher. */
export interface Publisher {
  upsert(pod: Pod, cause: PublishCause): Promise<void>;
  tombstone(id: PodIdentity, cause: PublishCause): Promise<void>;
}

export interface HandlerDeps {
  readonly publisher: Publisher;
  /** The pod stream's current state for this node (stream-state.ts). */
  readonly readStream: () => Promise<ReadonlyMap<string, StreamRecord>>;
  readonly metrics: WatcherMetrics;
  readonly log: Pick<Logger, "info" | "warn">;
}

export class PodEventHandler {
  constructor(private readonly deps: HandlerDeps) {}

  async handle(event: ReflectorEvent): Promise<void> {
    this.deps.metrics.events.inc({ type: event.type });
    switch (event.type) {
      case "sync":
        await this.#sync(event.pods);
        return;
      case "added":
      case "modified": {
        const decoded = decodePod(event.pod);
        if (decoded.ok) await this.deps.publisher.upsert(decoded.value, event.type);
        else this.#invalid(event.pod, decoded.reason);
        return;
      }
      case "deleted": {
        const decoded = decodeIdentity(event.pod);
        if (decoded.ok) await this.deps.publisher.tombstone(decoded.value, "deleted");
        else this.#invalid(event.pod, decoded.reason);
        return;
      }
      default: {
        const never: never = event;
        throw new Error(`unknown reflector event ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * A LIST snapshot against the stream: tombstones for pods deleted while no watch saw it
   * (watcher down, API server restarted), upserts for what changed. Read after the LIST, so
   * the stream cannot hold anything newer than the snapshot: only this watcher writes it.
   */
  async #sync(raw: readonly RawObject[]): Promise<void> {
    const listed: ListedPod[] = [];
    for (const pod of raw) {
      const decoded = decodePod(pod);
      if (decoded.ok) {
        listed.push({ uid: decoded.value.metadata.uid, pod: decoded.value });
        continue;
      }
      this.#invalid(pod, decoded.reason);
      // Still listed: an invalid pod exists, and must not be tombstoned.
      const id = decodeIdentity(pod);
      if (id.ok) listed.push({ uid: id.value.uid });
    }
    const plan = planSync(await this.deps.readStream(), listed);
    for (const id of plan.tombstones) await this.deps.publisher.tombstone(id, "sync");
    for (const pod of plan.upserts) await this.deps.publisher.upsert(pod, "sync");
    this.deps.metrics.unchanged.inc(plan.unchanged);
    this.deps.log.info(
      { listed: raw.length, tombstones: plan.tombstones.length, upserts: plan.upserts.length, unchanged: plan.unchanged },
      "pod stream reconciled with the API server",
    );
  }

  #invalid(raw: RawObject, reason: string): void {
    this.deps.metrics.invalidPods.inc();
    this.deps.log.warn({ pod: describeRaw(raw), reason }, "pod skipped: it does not match the pod contract");
  }
}

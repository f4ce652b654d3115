// Follows the pod stream of one node from the outside, as a consumer would, for tests and the
// latency bench: the latest message per pod, and when it arrived.
import type { NatsConnection } from "@nats-io/transport-node";
import { watchLatest, type LatestWatch } from "@natslet/bus";
import { podMessageSchema, podUidOf, streams, subjects, type PodMessage } from "@natslet/contracts";
import { ConditionWaiters } from "@natslet/testkit";

export interface Observed {
  readonly message: PodMessage;
  readonly seq: number;
  /** performance.now() when this process received it. */
  readonly at: number;
}

export class PodStreamObserver {
  readonly latest = new Map<string, Observed>();
  readonly #waiters = new ConditionWaiters();
  readonly #done: Promise<void>;

  private constructor(readonly watch: LatestWatch<PodMessage>) {
    this.#done = (async () => {
      for await (const entry of watch.entries) {
        this.latest.set(podUidOf(entry.subject), { message: entry.value, seq: entry.seq, at: performance.now() });
        this.#waiters.notify();
      }
    })();
  }

  static async start(nc: NatsConnection, node: string): Promise<PodStreamObserver> {
    const watch = await watchLatest(nc, streams.pods.name, subjects.podsOfNode(node), podMessageSchema, (subject, err) => {
      throw new Error(`invalid message on ${subject}: ${String(err)}`);
    });
    return new PodStreamObserver(watch);
  }

  kindOf(uid: string): PodMessage["kind"] | undefined {
    return this.latest.get(uid)?.message.kind;
  }

  resourceVersionOf(uid: string): string | undefined {
    const m = this.latest.get(uid)?.message;
    return m?.kind === "upsert" ? m.pod.metadata.resourceVersion : undefined;
  }

  /** Resolves once `check` holds (checked on every message), or fails after `timeoutMs`. */
  until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
    return this.#waiters.until(what, check, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.watch.stop();
    await this.#done;
  }
}

// What the node-api needs from the rest of natslet besides the runtime commands: the pods
// bound to the node (the NATSLET_PODS stream the watcher fills), and which containers died
// (the runtime-adapter's PLEG events), so log followers end when their container does.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { decodeJson, watchLatest, type LatestWatch } from "@natslet/bus";
import {
  podMessageSchema, runtimeEventSchema, streams, subjects, type Pod, type PodMessage,
} from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";

/** The pods bound to this node, by UID and by namespace/name, as the watcher published them. */
export class PodIndex {
  readonly #byUid = new Map<string, Pod>();
  readonly #byName = new Map<string, string>();
  #watch: LatestWatch<PodMessage> | undefined;
  #loop: Promise<void> | undefined;

  async start(nc: NatsConnection, node: string, log: Logger): Promise<void> {
    this.#watch = await watchLatest(nc, streams.pods.name, subjects.podsOfNode(node), podMessageSchema, (subject, err) =>
      log.warn({ subject, err: (err as Error).message }, "skipped an invalid pod message"),
    );
    const watch = this.#watch;
    this.#loop = (async () => {
      for await (const { value } of watch.entries) this.apply(value);
    })();
  }

  apply(msg: PodMessage): void {
    if (msg.kind === "upsert") {
      const m = msg.pod.metadata;
      this.#byUid.set(m.uid, msg.pod);
      this.#byName.set(`${m.namespace}/${m.name}`, m.uid);
    } else {
      this.#byUid.delete(msg.uid);
      if (this.#byName.get(`${msg.namespace}/${msg.name}`) === msg.uid) this.#byName.delete(`${msg.namespace}/${msg.name}`);
    }
  }

  uidOf(namespace: string, name: string): string | undefined {
    return this.#byName.get(`${namespace}/${name}`);
  }

  pod(uid: string): Pod | undefined {
    return this.#byUid.get(uid);
  }

  pods(): Pod[] {
    return [...this.#byUid.values()];
  }

  async stop(): Promise<void> {
    await this.#watch?.stop();
    await this.#loop?.catch(() => undefined);
  }
}

/** Container IDs the PLEG reported dead or removed (kept 10 minutes: followers only need recent ones). */
export class ContainerExits {
  readonly #dead = new Map<string, number>();
  #sub: Subscription | undefined;

  start(nc: NatsConnection, node: string): void {
    this.#sub = nc.subscribe(subjects.runtimeEvents(node), {
      callback: (err, msg) => {
        if (err !== null) return;
        try {
          const e = decodeJson(runtimeEventSchema, msg.data);
          if (e.type === "ContainerDied" || e.type === "ContainerRemoved") this.#dead.set(e.id, Date.now());
        } catch {
          // not ours to judge: the sync-loop logs invalid events
        }
        if (this.#dead.size > 10_000) this.#prune();
      },
    });
  }

  #prune(): void {
    const horizon = Date.now() - 600_000;
    for (const [id, at] of this.#dead) if (at < horizon) this.#dead.delete(id);
  }

  isDead(containerId: string): boolean {
    return this.#dead.has(containerId);
  }

  stop(): void {
    this.#sub?.unsubscribe();
  }
}

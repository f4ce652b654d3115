// Several sync-loop replicas for one node (DESIGN: work for one pod is serialised, also with
// several replicas). Each replica announces itself in JetStream KV (one key, rewritten every
// heartbeat, deleted on shutdown, expired by the bucket when a replica dies); every replica reads
// the same member list and gives each pod to one member by rendezvous hashing; and a pass holds
// the pod's lock in KV while it runs, so a pod that changes hands (a replica joins or dies) is
// never worked on by two replicas at once. With one replica this costs one KV create and one
// delete per pass.
import { randomUUID } from "node:crypto";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { isKvConflict, isLiveEntry } from "@natslet/bus";
import { token } from "@natslet/contracts";
import { rendezvousOwner } from "@natslet/core";
import type { Logger } from "@natslet/telemetry";

export const MEMBERS_BUCKET = "natslet-sync-members";
export const LOCKS_BUCKET = "natslet-sync-locks";

/** How often a replica rewrites its member key and rereads the member list. */
const HEARTBEAT_MS = 1_000;
/**
 * A member whose key was not rewritten for this long is gone (the bucket's max age): the delay
 * before a killed replica's pods move. Long enough that a replica whose event loop stalls for a
 * few seconds under load is not taken for dead.
 */
const MEMBER_TTL_MS = 6_000;
/** A lock not rewritten for this long vanishes; a pass rewrites its lock a few times per period. */
const LOCK_TTL_MS = 120_000;

/** A pod lock held for one pass. */
export interface PodLock {
  release(): Promise<void>;
}

export class SyncReplicas {
  /** This process: a new member every start, so a restarted replica never mistakes old locks for its own. */
  readonly id = randomUUID();
  #members: ReadonlySet<string> = new Set([this.id]);
  #heartbeat: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  /** Whether the last heartbeat reached NATS (for /readyz). */
  healthy = true;

  private constructor(
    private readonly node: string,
    private readonly members: KV,
    private readonly locks: KV,
    private readonly onMembersChanged: () => void,
    private readonly log: Logger,
  ) {}

  /** Joins the node's replicas: announced and with the current member list when this resolves. */
  static async join(nc: NatsConnection, node: string, opts: { onMembersChanged: () => void; log: Logger }): Promise<SyncReplicas> {
    const kvm = new Kvm(nc);
    const members = await kvm.create(MEMBERS_BUCKET, { history: 1, ttl: MEMBER_TTL_MS });
    const locks = await kvm.create(LOCKS_BUCKET, { history: 1, ttl: LOCK_TTL_MS });
    const replicas = new SyncReplicas(token(node, "node name"), members, locks, opts.onMembersChanged, opts.log);
    await replicas.#beat();
    replicas.#heartbeat = setInterval(() => void replicas.#beat(), HEARTBEAT_MS);
    replicas.#heartbeat.unref(); // the service's NATS connection keeps the process; this never should
    return replicas;
  }

  /** Whether this replica is the one to sync `uid` (by the member list it saw last). */
  owns(uid: string): boolean {
    return rendezvousOwner(this.#members, uid) === this.id;
  }

  get memberCount(): number {
    return this.#members.size;
  }

  /**
   * Takes the pod's lock for one pass; undefined when another live replica holds it (the caller
   * tries again shortly). A lock whose holder is no longer a member is taken over.
   */
  async lock(uid: string): Promise<PodLock | undefined> {
    const key = `${this.node}.${token(uid, "pod UID")}`;
    const value = JSON.stringify({ owner: this.id });
    let revision: number;
    try {
      revision = await this.locks.create(key, value);
    } catch (err) {
      if (!isKvConflict(err)) throw err;
      const entry = await this.locks.get(key);
      if (!isLiveEntry(entry)) return undefined; // released just now: the retry will get it
      const holder = ownerOf(entry.string());
      if (holder !== this.id && (await this.#isMember(holder))) return undefined;
      this.log.info({ pod_uid: uid, previous_holder: holder }, "taking over the lock of a pod whose replica is gone");
      try {
        revision = await this.locks.update(key, value, entry.revision);
      } catch (updateErr) {
        if (isKvConflict(updateErr)) return undefined;
        throw updateErr;
      }
    }
    return this.#held(uid, key, value, revision);
  }

  /** Leaves the member list at once (the others take this replica's pods without waiting for expiry). */
  async stop(): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#beating;
    await this.members.delete(this.#memberKey(this.id)).catch((err: unknown) => {
      this.log.warn({ err }, "could not leave the sync-loop member list; it expires on its own");
    });
  }

  #held(uid: string, key: string, value: string, revision: number): PodLock {
    // Rewritten well within its max age, so a long pass (a grace period, a slow pull) keeps it.
    const renew = setInterval(() => {
      this.locks.update(key, value, revision).then(
        (next) => (revision = next),
        (err: unknown) => this.log.warn({ err, pod_uid: uid }, "could not renew the pod's sync lock"),
      );
    }, LOCK_TTL_MS / 4);
    renew.unref();
    return {
      release: async () => {
        clearInterval(renew);
        try {
          await this.locks.delete(key, { previousSeq: revision });
        } catch (err) {
          // Taken over meanwhile (this replica was thought gone): the lock is not ours to delete.
          if (!isKvConflict(err)) this.log.warn({ err, pod_uid: uid }, "could not release the pod's sync lock; it expires on its own");
        }
      },
    };
  }

  #beat(): Promise<void> {
    this.#beating ??= this.#announceAndRead().finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async #announceAndRead(): Promise<void> {
    try {
      await this.members.put(this.#memberKey(this.id), JSON.stringify({ at: Date.now() }));
      const prefix = `${this.node}.`;
      const next = new Set<string>([this.id]);
      for await (const key of await this.members.keys(`${prefix}*`)) next.add(key.slice(prefix.length));
      this.healthy = true;
      if (next.size === this.#members.size && [...next].every((m) => this.#members.has(m))) return;
      this.log.info({ members: next.size }, "sync-loop replicas changed; pods are redistributed");
      this.#members = next;
      this.onMembersChanged();
    } catch (err) {
      this.healthy = false;
      this.log.warn({ err }, "sync-loop heartbeat failed");
    }
  }

  async #isMember(id: string | undefined): Promise<boolean> {
    if (id === undefined) return false;
    return isLiveEntry(await this.members.get(this.#memberKey(id)));
  }

  #memberKey(id: string): string {
    return `${this.node}.${id}`;
  }
}

function ownerOf(text: string): string | undefined {
  try {
    const owner = (JSON.parse(text) as { owner?: unknown }).owner;
    return typeof owner === "string" ? owner : undefined;
  } catch {
    return undefined; // not ours: taken over
  }
}

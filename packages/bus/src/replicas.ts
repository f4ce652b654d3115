// Replicas of one service for one node that split work by key (a pod UID), so that
// `docker compose up --scale <service>=N` spreads the pods and work for one pod never overlaps
// (DESIGN: serialised per pod, also with several replicas). Each replica announces itself in
// JetStream KV (one key, rewritten every heartbeat, deleted on shutdown, expired by the bucket
// when a replica dies); every replica reads the same member list and gives each key to one
// member by rendezvous hashing; and work on a key holds the key's lock in KV while it runs, so a
// key that changes hands (a replica joins or dies) is never worked on by two replicas at once.
// With one replica this costs one KV create and one delete per piece of work.
import { randomUUID } from "node:crypto";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { token } from "@natslet/contracts";
import { isKvConflict, isLiveEntry } from "./kv.js";
import { rendezvousOwner } from "./rendezvous.js";

const MEMBERS_BUCKET = "natslet-replicas";
const LOCKS_BUCKET = "natslet-replica-locks";

/** The part of a pino logger this needs (the bus does not depend on telemetry). */
export interface ReplicaLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ReplicasOptions {
  /** The service whose replicas these are, e.g. "sync-loop": a key token. */
  service: string;
  node: string;
  /** The member list changed: keys may have been gained or lost. */
  onMembersChanged: () => void;
  log: ReplicaLog;
}

/** How often a replica rewrites its member key and rereads the member list. */
const HEARTBEAT_MS = 1_000;
/**
 * A member whose key was not rewritten for this long is gone (the bucket's max age): the delay
 * before a killed replica's keys move. Long enough that a replica whose event loop stalls for a
 * few seconds under load is not taken for dead.
 */
const MEMBER_TTL_MS = 6_000;
/** A lock not rewritten for this long vanishes; work rewrites its lock a few times per period. */
const LOCK_TTL_MS = 120_000;

/** Work refused because another replica holds the key's lock (it is handing the key over) is tried again this soon. */
export const LOCK_RETRY_MS = 500;

/** A key's lock, held for one piece of work. */
export interface KeyLock {
  release(): Promise<void>;
}

export class Replicas {
  /** This process: a new member every start, so a restarted replica never mistakes old locks for its own. */
  readonly id = randomUUID();
  #members: ReadonlySet<string> = new Set([this.id]);
  #heartbeat: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  /** Whether the last heartbeat reached NATS (for /readyz). */
  healthy = true;

  private constructor(
    /** `<service>.<node>`: the prefix of this group's member and lock keys. */
    private readonly group: string,
    private readonly members: KV,
    private readonly locks: KV,
    private readonly onMembersChanged: () => void,
    private readonly log: ReplicaLog,
  ) {}

  /** Joins the service's replicas for the node: announced, and with the current member list, when this resolves. */
  static async join(nc: NatsConnection, opts: ReplicasOptions): Promise<Replicas> {
    const kvm = new Kvm(nc);
    const members = await kvm.create(MEMBERS_BUCKET, { history: 1, ttl: MEMBER_TTL_MS });
    const locks = await kvm.create(LOCKS_BUCKET, { history: 1, ttl: LOCK_TTL_MS });
    const group = `${token(opts.service, "service name")}.${token(opts.node, "node name")}`;
    const replicas = new Replicas(group, members, locks, opts.onMembersChanged, opts.log);
    await replicas.#beat();
    replicas.#heartbeat = setInterval(() => void replicas.#beat(), HEARTBEAT_MS);
    replicas.#heartbeat.unref(); // the service's NATS connection keeps the process; this never should
    return replicas;
  }

  /** Whether this replica is the one to work on `key` (by the member list it saw last). */
  owns(key: string): boolean {
    return rendezvousOwner(this.#members, key) === this.id;
  }

  get memberCount(): number {
    return this.#members.size;
  }

  /**
   * Takes the key's lock for one piece of work; undefined when another live replica holds it
   * (the caller tries again shortly). A lock whose holder is no longer a member is taken over.
   */
  async lock(workKey: string): Promise<KeyLock | undefined> {
    const key = `${this.group}.${token(workKey, "work key")}`;
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
      this.log.info({ key: workKey, previous_holder: holder }, "taking over a lock whose replica is gone");
      try {
        revision = await this.locks.update(key, value, entry.revision);
      } catch (updateErr) {
        if (isKvConflict(updateErr)) return undefined;
        throw updateErr;
      }
    }
    return this.#held(workKey, key, value, revision);
  }

  /**
   * Runs `work` holding the key's lock; false (and nothing run) when another live replica holds
   * it: the caller tries again after LOCK_RETRY_MS.
   */
  async withLock(workKey: string, work: () => Promise<void>): Promise<boolean> {
    const lock = await this.lock(workKey);
    if (lock === undefined) return false;
    try {
      await work();
    } finally {
      await lock.release();
    }
    return true;
  }

  /** Leaves the member list at once (the others take this replica's keys without waiting for expiry). */
  async stop(): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#beating;
    await this.members.delete(this.#memberKey(this.id)).catch((err: unknown) => {
      this.log.warn({ err }, "could not leave the replicas' member list; it expires on its own");
    });
  }

  #held(workKey: string, key: string, value: string, revision: number): KeyLock {
    // Rewritten well within its max age, so long work (a grace period, a slow pull) keeps it.
    const renew = setInterval(() => {
      this.locks.update(key, value, revision).then(
        (next) => (revision = next),
        (err: unknown) => this.log.warn({ err, key: workKey }, "could not renew a lock"),
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
          if (!isKvConflict(err)) this.log.warn({ err, key: workKey }, "could not release a lock; it expires on its own");
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
      const prefix = `${this.group}.`;
      const next = new Set<string>([this.id]);
      for await (const key of await this.members.keys(`${prefix}*`)) next.add(key.slice(prefix.length));
      this.healthy = true;
      if (next.size === this.#members.size && [...next].every((m) => this.#members.has(m))) return;
      this.log.info({ members: next.size }, "replicas changed; work is redistributed");
      this.#members = next;
      this.onMembersChanged();
    } catch (err) {
      this.healthy = false;
      this.log.warn({ err }, "replica heartbeat failed");
    }
  }

  async #isMember(id: string | undefined): Promise<boolean> {
    if (id === undefined) return false;
    return isLiveEntry(await this.members.get(this.#memberKey(id)));
  }

  #memberKey(id: string): string {
    return `${this.group}.${id}`;
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
